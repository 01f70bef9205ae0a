package io.eddy.record;

/**
 * A statement that no record with a timestamp at or below {@link #timestamp} will follow on this
 * channel. {@link #END} (+infinity) is sent when a bounded input ends and fires every timer.
 */
public record Watermark(long timestamp) implements ControlElement {
  public static final Watermark END = new Watermark(Long.MAX_VALUE);
}
