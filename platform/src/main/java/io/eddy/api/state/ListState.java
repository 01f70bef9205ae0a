package io.eddy.api.state;

import java.util.List;

/**
 * A list of values per key, scoped to the current key (the key of the record or timer being
 * processed). Valid only on the task's event-loop thread, inside processing calls. Elements keep
 * the order in which they were added. Elements must not be {@code null}.
 *
 * <p>Values are copies with the RocksDB backend: write changes back with {@link #update}.
 */
public interface ListState<T> {
  /**
   * The current key's elements, in order: empty (never {@code null}) when there are none. The
   * result is a snapshot taken at the call; changing the state while iterating it is allowed and
   * does not affect the iteration.
   */
  Iterable<T> get();

  /**
   * Appends one element.
   *
   * @throws NullPointerException if {@code value} is null
   */
  void add(T value);

  /**
   * Appends all {@code values} in order; {@code null} or an empty list changes nothing.
   *
   * @throws NullPointerException if an element is null (nothing is added then)
   */
  void addAll(List<T> values);

  /**
   * Replaces the current key's elements with {@code values}; {@code null} or an empty list clears.
   *
   * @throws NullPointerException if an element is null (the state is unchanged then)
   */
  void update(List<T> values);

  /** Removes all elements of the current key. */
  void clear();
}
