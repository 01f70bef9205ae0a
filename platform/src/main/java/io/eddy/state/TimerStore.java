package io.eddy.state;

import java.util.function.Consumer;

/**
 * The timers of one timer service of a keyed operator in one time domain (event or processing
 * time): at most one timer per (time, key, namespace), handed out in time order. The namespace
 * tells timers of one key apart (a window for the window operators; null for a keyed process
 * function). Which store an operator gets depends on its state backend (see
 * {@link KeyedStateBackend#timerStore}): {@link HeapTimerStore} keeps the timers on the heap and
 * its user writes them into checkpoints; the RocksDB backend keeps them in a column family that its
 * own (incremental) snapshots carry, restore and redistribute by key group.
 *
 * <p>Confined to the task's event-loop thread, like the backend. A store never calls back: the
 * caller polls what is due. Keys must belong to the backend's key-group range.
 */
public interface TimerStore {
  /** A timer: its time, the key it belongs to, and its namespace (may be null). */
  record Timer(long time, Object key, Object namespace) {}

  /** Adds the timer; nothing changes if it is already there. */
  void add(long time, Object key, Object namespace);

  /** Removes the timer if it is there. */
  void delete(long time, Object key, Object namespace);

  /** Removes and returns the earliest timer with {@code time <= upTo}, or null if none. */
  Timer pollDue(long upTo);

  /**
   * A time no later than the earliest timer's ({@link Long#MAX_VALUE} when there is none). It may
   * be the time of a timer deleted since, so a caller woken at it may find nothing due.
   */
  long nextTime();

  /**
   * True when the backend's snapshots carry these timers; false when the caller must write them
   * into its checkpoint itself (with {@link #forEach}) and add them back on restore.
   */
  boolean inBackendSnapshot();

  /** Hands every timer to {@code action}, in no particular order; only for stores not in the backend's snapshot. */
  void forEach(Consumer<Timer> action);
}
