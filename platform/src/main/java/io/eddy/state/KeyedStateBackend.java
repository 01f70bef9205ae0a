package io.eddy.state;

import io.eddy.api.state.KeyedStateStore;

/**
 * The keyed state of one operator on one subtask, organized by key group. The operator sets the
 * current key before each record or timer; every state handle then reads and writes that key's
 * value. Confined to the task's event-loop thread.
 */
public interface KeyedStateBackend extends KeyedStateStore, AutoCloseable {
  /** Makes {@code key} current; it must belong to this subtask's key-group range. */
  void setCurrentKey(Object key);

  Object currentKey();

  /** The key group of the current key. */
  int currentKeyGroup();

  @Override
  default void close() {}
}
