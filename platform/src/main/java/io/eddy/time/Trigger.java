package io.eddy.time;

/**
 * Decides when a window of a key emits its result (fires) and when its contents are discarded
 * (purged). The window operator calls it on the task's event-loop thread, with the key current:
 * {@link #onElement} for every record added to the window, {@link #onEventTime} and
 * {@link #onProcessingTime} when a timer it registered through the context is due, {@link #onMerge}
 * when session windows merge, and {@link #clear} when the window is dropped (after its allowed
 * lateness). Timers and values kept through the context are per key and window. No method may block.
 */
public interface Trigger<T, W extends Window> {
  Result onElement(T record, long timestamp, W window, Context ctx) throws Exception;

  Result onEventTime(long time, W window, Context ctx) throws Exception;

  Result onProcessingTime(long time, W window, Context ctx) throws Exception;

  /** Removes the timers and values this trigger keeps for the window. */
  default void clear(W window, Context ctx) throws Exception {}

  /** True when the trigger supports merging windows; session windows need it. */
  default boolean canMerge() {
    return false;
  }

  /** The windows were merged into {@code window}: re-register what the merged window needs. */
  default void onMerge(W window, MergeContext ctx) throws Exception {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot merge windows");
  }

  /** What the trigger decided. */
  enum Result {
    CONTINUE(false, false), FIRE(true, false), PURGE(false, true), FIRE_AND_PURGE(true, true);

    private final boolean fire;
    private final boolean purge;

    Result(boolean fire, boolean purge) {
      this.fire = fire;
      this.purge = purge;
    }

    public boolean isFire() {
      return fire;
    }

    public boolean isPurge() {
      return purge;
    }
  }

  /** The trigger's view of time, timers and its own per-(key, window) values. */
  interface Context {
    long currentWatermark();

    long currentProcessingTime();

    void registerEventTimeTimer(long time);

    void deleteEventTimeTimer(long time);

    void registerProcessingTimeTimer(long time);

    void deleteProcessingTimeTimer(long time);

    /** A value this trigger keeps for the current key and window, or null. */
    Object value(String name);

    void value(String name, Object value);
  }

  /** The context of {@link #onMerge}: also the values the merged windows held. */
  interface MergeContext extends Context {
    java.util.List<Object> mergedValues(String name);
  }
}
