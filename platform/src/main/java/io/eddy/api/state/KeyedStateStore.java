package io.eddy.api.state;

/**
 * Hands out keyed state of one operator. Call it from {@code open} (or lazily while processing) and
 * keep the returned handle: the handle follows the current key, so one handle serves all keys.
 * Asking twice for the same name returns the same state.
 */
public interface KeyedStateStore {
  <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor);
}
