package io.eddy.runtime.operators;

import io.eddy.api.BadRecord;
import io.eddy.api.BadRecordPolicy;
import io.eddy.api.Counter;
import io.eddy.api.OutputTag;
import io.eddy.record.Frame;
import io.eddy.runtime.Output;
import io.eddy.runtime.StreamOperator;
import io.eddy.time.TimestampAssigner;
import io.eddy.time.WatermarkGenerator;
import io.eddy.time.WatermarkOutput;
import io.eddy.time.WatermarkStrategy;

/**
 * Assigns event time to records and generates the watermarks of its subtask from a
 * {@link WatermarkStrategy}. The generator is asked for a watermark every {@link #EMIT_EVERY}
 * records and every watermark interval, and only advances are passed on. Watermarks from upstream
 * are ignored except the final one. With an idleness timeout, a subtask that saw no record for
 * that long declares itself idle until its next record.
 *
 * <p>A record whose timestamp cannot be had (the assigner throws, or the time is negative or past
 * the year 9999) is a bad record and follows the job's {@link BadRecordPolicy}.
 */
public final class WatermarkOperator<T> extends StreamOperator<T, T> implements WatermarkOutput {
  static final int EMIT_EVERY = 1024;
  private static final long LATEST_SANE_TIME = 253_402_300_799_999L; // 9999-12-31T23:59:59.999Z

  private final WatermarkStrategy<T> strategy;
  private final long intervalMillis;
  private WatermarkGenerator<T> generator;
  private TimestampAssigner<T> assigner;
  private long idleAfterMillis;
  private long current = Long.MIN_VALUE;
  private int sinceEmit;
  private long lastRecordMillis;
  private boolean idle;
  private long timer = -1;
  private Counter badRecords;

  public WatermarkOperator(WatermarkStrategy<T> strategy, long intervalMillis) {
    this.strategy = strategy;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public void open() throws Exception {
    super.open();
    generator = strategy.createGenerator();
    assigner = strategy.timestampAssigner();
    idleAfterMillis = strategy.idleness() == null ? 0 : strategy.idleness().toMillis();
    badRecords = context.counter("badRecords");
    lastRecordMillis = System.currentTimeMillis();
    long period = idleAfterMillis > 0 ? Math.max(1, Math.min(intervalMillis, idleAfterMillis / 2)) : intervalMillis;
    timer = context.schedulePeriodic(period, this::onTimer);
  }

  @Override
  public void collect(T record, long timestamp) {
    long t;
    try {
      t = assigner == null ? timestamp : assigner.extractTimestamp(record, timestamp);
    } catch (Exception e) {
      badRecord(record, "timestamp assigner failed: " + e);
      return;
    }
    if (t < 0 || t > LATEST_SANE_TIME) {
      badRecord(record, t == Frame.NO_TIMESTAMP ? "record has no timestamp" : "absurd timestamp " + t);
      return;
    }
    if (idle) {
      idle = false;
      output.idleness(false);
    }
    if (idleAfterMillis > 0) {
      lastRecordMillis = System.currentTimeMillis();
    }
    generator.onEvent(record, t, this);
    output.collect(record, t);
    if (++sinceEmit >= EMIT_EVERY) {
      sinceEmit = 0;
      generator.onPeriodicEmit(this);
    }
  }

  private void badRecord(T record, String reason) {
    BadRecordPolicy policy = context.badRecordPolicy();
    if (policy == BadRecordPolicy.FAIL) {
      throw failure(new IllegalArgumentException(reason + " (record: " + shorten(record) + ")"));
    }
    badRecords.inc();
    if (policy == BadRecordPolicy.DEAD_LETTER) {
      Output<Object> dead = context.sideOutput(OutputTag.BAD_RECORDS.id());
      dead.collect(new BadRecord(context.operatorName(), shorten(record), reason), Frame.NO_TIMESTAMP);
    }
  }

  private static String shorten(Object record) {
    String s = String.valueOf(record);
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private void onTimer() {
    generator.onPeriodicEmit(this);
    if (idleAfterMillis > 0 && !idle && System.currentTimeMillis() - lastRecordMillis >= idleAfterMillis) {
      markIdle();
    }
  }

  @Override
  public void emitWatermark(long watermark) {
    if (watermark > current) {
      current = watermark;
      output.watermark(watermark);
      for (Output<Object> side : sideOutputs()) {
        side.watermark(watermark);
      }
    }
  }

  @Override
  public void markIdle() {
    if (!idle) {
      idle = true;
      output.idleness(true);
    }
  }

  @Override
  public void watermark(long watermark) {
    if (watermark == Long.MAX_VALUE) {
      emitWatermark(watermark); // the end of a bounded input
    }
  }

  @Override
  public void idleness(boolean upstreamIdle) {
    // this operator decides idleness itself
  }

  @Override
  public void close() throws Exception {
    if (timer >= 0) {
      context.cancelSchedule(timer);
    }
    super.close();
  }

  @Override
  protected Object userFunction() {
    return assigner;
  }
}
