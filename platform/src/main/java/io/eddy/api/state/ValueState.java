package io.eddy.api.state;

/**
 * One value per key, scoped to the key of the record (or timer) being processed. Valid only on the
 * task's event-loop thread, inside processing calls; outside them there is no current key.
 *
 * <p>The state holds what was last written: with the RocksDB backend a value is serialized on
 * {@link #update} and {@link #value} returns a fresh copy, so changing a returned object without
 * calling {@link #update} again is lost there. Always write a changed value back.
 */
public interface ValueState<T> {
  /** The value for the current key, or {@code null} when none was set (or it was cleared or expired). */
  T value();

  /** Sets the current key's value; {@code null} clears it. */
  void update(T value);

  /** Removes the current key's value. */
  void clear();
}
