package io.eddy.runtime.operators;

import io.eddy.api.function.KeySelector;
import io.eddy.runtime.StreamOperator;
import io.eddy.state.KeyedStateBackend;

/**
 * Base of the operators on a keyed stream: extracts each record's key and makes it current in
 * the keyed state backend before the subclass sees the record.
 */
public abstract class KeyedOperator<K, IN, OUT> extends StreamOperator<IN, OUT> {
  private final KeySelector<IN, K> keySelector;
  protected KeyedStateBackend state;

  protected KeyedOperator(KeySelector<IN, K> keySelector) {
    this.keySelector = keySelector;
  }

  @Override
  public void open() throws Exception {
    state = context.keyedStateBackend();
    super.open();
  }

  @Override
  public final void collect(IN record, long timestamp) {
    K key;
    try {
      key = keySelector.getKey(record);
    } catch (Exception e) {
      throw failure(e);
    }
    if (key == null) {
      throw failure(new NullPointerException("key selector returned null for record " + record));
    }
    state.setCurrentKey(key);
    process(key, record, timestamp);
  }

  /** Processes a record whose key is already current. */
  protected abstract void process(K key, IN record, long timestamp);
}
