package io.eddy.api.state;

/**
 * One value per key, scoped to the key of the record (or timer) being processed. Valid only on the
 * task's event-loop thread, inside processing calls; outside them there is no current key.
 */
public interface ValueState<T> {
  /** The value for the current key, or {@code null} when none was set (or it was cleared). */
  T value();

  void update(T value);

  void clear();
}
