package io.eddy.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;

/**
 * Windows of a fixed size starting every {@code slide}, aligned to the epoch (plus an optional
 * offset), so a record falls in about {@code size / slide} windows (exactly that many when the
 * slide divides the size).
 */
public final class SlidingWindows<T> implements WindowAssigner<T, TimeWindow> {
  private final long size;
  private final long slide;
  private final long offset;
  private final boolean eventTime;

  private SlidingWindows(long size, long slide, long offset, boolean eventTime) {
    this.size = size;
    this.slide = slide;
    this.offset = offset;
    this.eventTime = eventTime;
  }

  public static <T> SlidingWindows<T> eventTime(Duration size, Duration slide) {
    return new SlidingWindows<>(size.toMillis(), slide.toMillis(), 0, true);
  }

  public static <T> SlidingWindows<T> processingTime(Duration size, Duration slide) {
    return new SlidingWindows<>(size.toMillis(), slide.toMillis(), 0, false);
  }

  public SlidingWindows<T> withOffset(Duration offset) {
    return new SlidingWindows<>(size, slide, offset.toMillis(), eventTime);
  }

  public long size() {
    return size;
  }

  public long slide() {
    return slide;
  }

  public long offset() {
    return offset;
  }

  /** The start of the latest window holding {@code timestamp}; earlier ones start a slide apart. */
  public long lastWindowStart(long timestamp) {
    return timestamp - Math.floorMod(timestamp - offset, slide);
  }

  @Override
  public Collection<TimeWindow> assignWindows(T record, long timestamp, long now) {
    long t = eventTime ? timestamp : now;
    Collection<TimeWindow> windows = new ArrayList<>((int) ((size + slide - 1) / slide));
    for (long start = lastWindowStart(t); start > t - size; start -= slide) {
      windows.add(new TimeWindow(start, start + size));
    }
    return windows;
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
    if (slide <= 0) {
      return "window slide must be positive, got " + slide + " ms";
    }
    if (slide > size) {
      return "window slide (" + slide + " ms) must not be larger than its size (" + size + " ms)";
    }
    if (offset < 0 || offset >= slide) {
      return "window offset must be in [0, slide), got " + offset + " ms";
    }
    return null;
  }
}
