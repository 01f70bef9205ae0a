package io.eddy.api.state;

import io.eddy.api.function.ReduceFunction;
import io.eddy.serde.Serde;
import java.util.Objects;

/** Describes a {@link ReducingState}: a name, the reduce function, and the value class or serde. */
public final class ReducingStateDescriptor<T> extends StateDescriptor<T> {
  private final ReduceFunction<T> reduceFunction;

  public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, Class<T> type) {
    super(name, type, null);
    this.reduceFunction = Objects.requireNonNull(reduceFunction, "reduceFunction");
  }

  public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, Serde<T> serde) {
    super(name, null, serde);
    this.reduceFunction = Objects.requireNonNull(reduceFunction, "reduceFunction");
  }

  public ReduceFunction<T> reduceFunction() {
    return reduceFunction;
  }

  @Override
  public ReducingStateDescriptor<T> enableTimeToLive(StateTtlConfig config) {
    super.enableTimeToLive(config);
    return this;
  }
}
