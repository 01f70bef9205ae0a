package io.eddy.time;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a stream gets event time: a timestamp assigner (by default the timestamp the source gave
 * the record), a watermark generator per subtask, and optionally an idleness timeout after which
 * a silent subtask stops holding the watermark back (it rejoins with its next record).
 * Immutable; the {@code with...} methods return new strategies.
 */
public final class WatermarkStrategy<T> {
  private final Supplier<WatermarkGenerator<T>> generator;
  private final TimestampAssigner<T> assigner;
  private final Duration idleness;

  private WatermarkStrategy(Supplier<WatermarkGenerator<T>> generator, TimestampAssigner<T> assigner, Duration idleness) {
    this.generator = generator;
    this.assigner = assigner;
    this.idleness = idleness;
  }

  /**
   * Records may arrive up to {@code maxOutOfOrderness} late: the watermark trails the highest
   * timestamp seen by that much (and one millisecond, so records at exactly the bound are not late).
   */
  public static <T> WatermarkStrategy<T> forBoundedOutOfOrderness(Duration maxOutOfOrderness) {
    long bound = maxOutOfOrderness.toMillis();
    return new WatermarkStrategy<>(() -> new BoundedOutOfOrderness<>(bound), null, null);
  }

  /** Timestamps never decrease: the watermark follows the highest timestamp. */
  public static <T> WatermarkStrategy<T> forMonotonousTimestamps() {
    return new WatermarkStrategy<>(() -> new BoundedOutOfOrderness<>(0), null, null);
  }

  /** A custom generator; the supplier is called once per subtask. */
  public static <T> WatermarkStrategy<T> forGenerator(Supplier<WatermarkGenerator<T>> generator) {
    return new WatermarkStrategy<>(Objects.requireNonNull(generator), null, null);
  }

  public WatermarkStrategy<T> withTimestampAssigner(TimestampAssigner<T> assigner) {
    return new WatermarkStrategy<>(generator, Objects.requireNonNull(assigner), idleness);
  }

  public WatermarkStrategy<T> withIdleness(Duration timeout) {
    return new WatermarkStrategy<>(generator, assigner, Objects.requireNonNull(timeout));
  }

  public WatermarkGenerator<T> createGenerator() {
    return generator.get();
  }

  /** The assigner, or null to keep the records' own timestamps. */
  public TimestampAssigner<T> timestampAssigner() {
    return assigner;
  }

  /** The idleness timeout, or null for none. */
  public Duration idleness() {
    return idleness;
  }

  /** The generator of {@link #forBoundedOutOfOrderness}. */
  static final class BoundedOutOfOrderness<T> implements WatermarkGenerator<T>, Serializable {
    private final long bound;
    private long maxTimestamp;

    BoundedOutOfOrderness(long bound) {
      this.bound = bound;
      this.maxTimestamp = Long.MIN_VALUE + bound + 1;
    }

    @Override
    public void onEvent(T record, long timestamp, WatermarkOutput output) {
      if (timestamp > maxTimestamp) {
        maxTimestamp = timestamp;
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.emitWatermark(maxTimestamp - bound - 1);
    }
  }
}
