package io.eddy.api.state;

import io.eddy.api.function.AggregateFunction;
import io.eddy.serde.Serde;
import java.util.Objects;

/**
 * Describes an {@link AggregatingState}: a name, the aggregate function, and the class or serde of
 * its accumulator (what is stored; {@link #type()} and {@link #serde()} refer to it).
 */
public final class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<ACC> {
  private final AggregateFunction<IN, ACC, OUT> aggregateFunction;

  public AggregatingStateDescriptor(String name, AggregateFunction<IN, ACC, OUT> aggregateFunction,
      Class<ACC> accumulatorType) {
    super(name, accumulatorType, null);
    this.aggregateFunction = Objects.requireNonNull(aggregateFunction, "aggregateFunction");
  }

  public AggregatingStateDescriptor(String name, AggregateFunction<IN, ACC, OUT> aggregateFunction,
      Serde<ACC> accumulatorSerde) {
    super(name, null, accumulatorSerde);
    this.aggregateFunction = Objects.requireNonNull(aggregateFunction, "aggregateFunction");
  }

  public AggregateFunction<IN, ACC, OUT> aggregateFunction() {
    return aggregateFunction;
  }

  @Override
  public AggregatingStateDescriptor<IN, ACC, OUT> enableTimeToLive(StateTtlConfig config) {
    super.enableTimeToLive(config);
    return this;
  }
}
