package io.eddy.api.state;

import java.util.Map;

/**
 * A map per key, scoped to the current key (the key of the record or timer being processed). Valid
 * only on the task's event-loop thread, inside processing calls.
 *
 * <p>Null handling: map keys must not be {@code null} ({@link NullPointerException}); values may be
 * {@code null}, and {@link #contains} tells a key mapped to {@code null} from an absent key.
 * Iteration order is unspecified. The RocksDB backend compares map keys by their serialized bytes,
 * so a map key's serde must write equal keys as equal bytes.
 *
 * <p>Values are copies with the RocksDB backend: write changes back with {@link #put}.
 */
public interface MapState<K, V> {
  /** The value of {@code key} for the current key, or {@code null} when absent (or mapped to null). */
  V get(K key);

  void put(K key, V value);

  /** Puts every entry of {@code map}; {@code null} changes nothing. */
  void putAll(Map<K, V> map);

  void remove(K key);

  boolean contains(K key);

  /**
   * The current key's entries: a snapshot taken at the call (changing the state while iterating is
   * allowed and does not affect the iteration); empty, never {@code null}, when there are none.
   */
  Iterable<Map.Entry<K, V>> entries();

  /** The map keys, as {@link #entries()}. */
  Iterable<K> keys();

  /** The values, as {@link #entries()}. */
  Iterable<V> values();

  /** Whether the current key has no entries. */
  boolean isEmpty();

  /** Removes all entries of the current key. */
  void clear();
}
