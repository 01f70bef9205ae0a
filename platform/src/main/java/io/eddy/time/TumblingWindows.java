package io.eddy.time;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Fixed-size, non-overlapping windows aligned to the epoch (plus an optional offset): a record
 * with timestamp {@code t} falls in {@code [t - (t - offset) mod size, ... + size)}.
 */
public final class TumblingWindows<T> implements WindowAssigner<T, TimeWindow> {
  private final long size;
  private final long offset;
  private final boolean eventTime;

  private TumblingWindows(long size, long offset, boolean eventTime) {
    this.size = size;
    this.offset = offset;
    this.eventTime = eventTime;
  }

  public static <T> TumblingWindows<T> eventTime(Duration size) {
    return new TumblingWindows<>(size.toMillis(), 0, true);
  }

  public static <T> TumblingWindows<T> processingTime(Duration size) {
    return new TumblingWindows<>(size.toMillis(), 0, false);
  }

  public TumblingWindows<T> withOffset(Duration offset) {
    return new TumblingWindows<>(size, offset.toMillis(), eventTime);
  }

  public long size() {
    return size;
  }

  public long offset() {
    return offset;
  }

  /** The start of the window holding {@code timestamp}. */
  public long windowStart(long timestamp) {
    return timestamp - Math.floorMod(timestamp - offset, size);
  }

  @Override
  public Collection<TimeWindow> assignWindows(T record, long timestamp, long now) {
    long t = eventTime ? timestamp : now;
    long start = windowStart(t);
    return List.of(new TimeWindow(start, start + size));
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
  public String problem() {
    if (size <= 0) {
      return "window size must be positive, got " + size + " ms";
    }
    if (offset < 0 || offset >= size) {
      return "window offset must be in [0, size), got " + offset + " ms";
    }
    return null;
  }
}
