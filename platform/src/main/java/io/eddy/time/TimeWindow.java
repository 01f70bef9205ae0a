package io.eddy.time;

/** The time interval {@code [start, end)} in milliseconds. */
public record TimeWindow(long start, long end) implements Window, Comparable<TimeWindow> {
  @Override
  public long maxTimestamp() {
    return end - 1;
  }

  /**
   * True when the intervals overlap or touch: {@code [a, b)} and {@code [b, c)} intersect, as in
   * Flink, so session windows whose records are exactly the gap apart merge.
   */
  public boolean intersects(TimeWindow o) {
    return start <= o.end && o.start <= end;
  }

  public TimeWindow cover(TimeWindow o) {
    return new TimeWindow(Math.min(start, o.start), Math.max(end, o.end));
  }

  @Override
  public int compareTo(TimeWindow o) {
    int c = Long.compare(start, o.start);
    return c != 0 ? c : Long.compare(end, o.end);
  }
}
