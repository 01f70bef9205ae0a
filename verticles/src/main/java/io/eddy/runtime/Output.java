package io.eddy.runtime;

/**
 * Where an operator sends what it produces: the next operator of its chain, or the task's
 * exchange to other tasks. Called on the task's event-loop thread only.
 */
public interface Output<T> {
  /** A record with its timestamp ({@link io.eddy.record.Frame#NO_TIMESTAMP} if none). */
  void collect(T record, long timestamp);

  /** The event-time watermark advanced to {@code watermark}. */
  void watermark(long watermark);

  /**
   * The input went idle ({@code true}: receivers stop waiting for its watermark) or became active
   * again ({@code false}).
   */
  default void idleness(boolean idle) {}

  /**
   * The records that follow come from source split {@code splitId} ({@code finished}: the split
   * has ended). Only meaningful inside a source's chain, where watermark generation is per split.
   */
  default void split(String splitId, boolean finished) {}

  /** All input has ended; nothing follows. Called once, after the final watermark. */
  void endOfInput();
}
