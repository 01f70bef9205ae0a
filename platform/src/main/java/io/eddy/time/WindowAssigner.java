package io.eddy.time;

import java.util.Collection;

/**
 * Puts each record into zero or more windows. Called on the task's event-loop thread per record;
 * must not block. Merging assigners (sessions) return a fresh window per record that the operator
 * merges with the key's overlapping windows.
 */
public interface WindowAssigner<T, W extends Window> {
  Collection<W> assignWindows(T record, long timestamp, long currentProcessingTime);

  /** The trigger used when the job sets none. */
  Trigger<T, W> defaultTrigger();

  /** True for event time (timestamps and watermarks), false for processing time (the clock). */
  boolean isEventTime();

  default boolean isMerging() {
    return false;
  }

  /** A description of what is wrong with the assigner's settings, or null if they are valid. */
  default String problem() {
    return null;
  }
}
