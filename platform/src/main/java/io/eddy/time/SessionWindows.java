package io.eddy.time;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Sessions: a key's records at most {@code gap} apart share a window, which ends {@code gap} after
 * its last record. Windows merge as out-of-order records bridge them; windows that touch merge too
 * (records at {@code t} and {@code t + gap} give one session {@code [t, t + 2 * gap)}), as in Flink.
 */
public final class SessionWindows<T> implements WindowAssigner<T, TimeWindow> {
  private final long gap;
  private final boolean eventTime;

  private SessionWindows(long gap, boolean eventTime) {
    this.gap = gap;
    this.eventTime = eventTime;
  }

  public static <T> SessionWindows<T> eventTime(Duration gap) {
    return new SessionWindows<>(gap.toMillis(), true);
  }

  public static <T> SessionWindows<T> processingTime(Duration gap) {
    return new SessionWindows<>(gap.toMillis(), false);
  }

  public long gap() {
    return gap;
  }

  @Override
  public Collection<TimeWindow> assignWindows(T record, long timestamp, long now) {
    long t = eventTime ? timestamp : now;
    return List.of(new TimeWindow(t, t + gap));
  }

  @Override
  public Trigger<T, TimeWindow> defaultTrigger() {
    return eventTime ? Triggers.eventTime() : Triggers.processingTime();
  }

  @Override
  public boolean isEventTime() {
    return eventTime;
  }

  @Override
  public boolean isMerging() {
    return true;
  }

  @Override
  public String problem() {
    return gap <= 0 ? "session gap must be positive, got " + gap + " ms" : null;
  }
}
