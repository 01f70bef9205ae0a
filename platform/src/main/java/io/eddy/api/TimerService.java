package io.eddy.api;

/**
 * Timers of the current key. Registering the same (time, key) twice keeps one timer; deleting a
 * timer that does not exist does nothing. Timers are part of the operator's keyed state.
 */
public interface TimerService {
  /** The operator's current event-time watermark ({@link Long#MIN_VALUE} before the first). */
  long currentWatermark();

  long currentProcessingTime();

  /** Fires once the watermark reaches {@code time}; the end of a bounded input fires all of them. */
  void registerEventTimeTimer(long time);

  void deleteEventTimeTimer(long time);

  /**
   * Fires once the wall clock (milliseconds since the epoch) reaches {@code time}. A timer still
   * pending when a bounded input ends never fires (as in Flink's STREAMING mode).
   */
  void registerProcessingTimeTimer(long time);

  void deleteProcessingTimeTimer(long time);
}
