package io.eddy.runtime.operators;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;

/** Rolling aggregation per key: emits the key's result after every record. */
public final class KeyedAggregateOperator<K, IN, ACC, OUT> extends KeyedOperator<K, IN, OUT> {
  private final AggregateFunction<IN, ACC, OUT> function;
  private ValueState<ACC> accumulator;

  public KeyedAggregateOperator(KeySelector<IN, K> key, AggregateFunction<IN, ACC, OUT> function) {
    super(key);
    this.function = function;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open() throws Exception {
    super.open();
    accumulator = state.getState(new ValueStateDescriptor<>("aggregate", (Class<ACC>) Object.class));
  }

  @Override
  protected void process(K key, IN record, long timestamp) {
    OUT result;
    try {
      ACC acc = accumulator.value();
      if (acc == null) {
        acc = function.createAccumulator();
      }
      acc = function.add(record, acc);
      accumulator.update(acc);
      result = function.getResult(acc);
    } catch (Exception e) {
      throw failure(e);
    }
    output.collect(result, timestamp);
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
