package io.eddy.runtime.operators;

import io.eddy.api.function.KeySelector;
import io.eddy.api.function.ReduceFunction;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;

/** Rolling reduce per key: emits the key's reduced value after every record. */
public final class KeyedReduceOperator<K, T> extends KeyedOperator<K, T, T> {
  private final ReduceFunction<T> function;
  private ValueState<T> current;

  public KeyedReduceOperator(KeySelector<T, K> key, ReduceFunction<T> function) {
    super(key);
    this.function = function;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open() throws Exception {
    super.open();
    current = state.getState(new ValueStateDescriptor<>("reduce", (Class<T>) Object.class));
  }

  @Override
  protected void process(K key, T record, long timestamp) {
    T acc = current.value();
    T result;
    if (acc == null) {
      result = record;
    } else {
      try {
        result = function.reduce(acc, record);
      } catch (Exception e) {
        throw failure(e);
      }
    }
    current.update(result);
    output.collect(result, timestamp);
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
