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
import java.util.HashMap;
import java.util.Map;

/**
 * Assigns event time to records and generates the watermarks of its subtask from a
 * {@link WatermarkStrategy}, per source split: each split the source announces gets a generator
 * of its own, and the subtask's watermark is the minimum over the splits still being read (a
 * finished or idle split no longer counts), so interleaved splits each keep their own event time.
 * Generators are asked for a watermark every {@link #EMIT_EVERY} records and every watermark
 * interval; only advances are passed on. A watermark emitted from {@code onEvent} is passed on
 * right after the record that caused it, as in Flink. Watermarks from upstream are ignored except
 * the final one. With an idleness timeout, a split that saw no record for that long stops counting until its
 * next record; when all splits are idle the subtask declares itself idle downstream.
 *
 * <p>A record whose timestamp cannot be had (the assigner throws, or the time is negative or past
 * the year 9999) is a bad record and follows the job's {@link BadRecordPolicy}.
 */
public final class WatermarkOperator<T> extends StreamOperator<T, T> {
  static final int EMIT_EVERY = 1024;
  private static final long LATEST_SANE_TIME = 253_402_300_799_999L; // 9999-12-31T23:59:59.999Z
  private static final String NO_SPLIT = "";

  private final WatermarkStrategy<T> strategy;
  private final long intervalMillis;
  private final Map<String, SplitWatermark> splits = new HashMap<>();
  private SplitWatermark current;
  private TimestampAssigner<T> assigner;
  private long idleAfterMillis;
  private long emitted = Long.MIN_VALUE;
  private int sinceEmit;
  private boolean idle;
  private long timer = -1;
  private Counter badRecords;

  /** The watermark state of one split. */
  private final class SplitWatermark implements WatermarkOutput {
    final WatermarkGenerator<T> generator = strategy.createGenerator();
    long watermark = Long.MIN_VALUE;
    long lastRecordMillis = System.currentTimeMillis();
    boolean idle;
    boolean finished;

    @Override
    public void emitWatermark(long w) {
      if (w > watermark) {
        watermark = w;
        advance(); // a generator may emit from onEvent: pass it on at once, after the record
      }
    }

    @Override
    public void markIdle() {
      if (!idle) {
        idle = true;
        advance();
      }
    }
  }

  public WatermarkOperator(WatermarkStrategy<T> strategy, long intervalMillis) {
    this.strategy = strategy;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public void open() throws Exception {
    super.open();
    assigner = strategy.timestampAssigner();
    idleAfterMillis = strategy.idleness() == null ? 0 : strategy.idleness().toMillis();
    badRecords = context.counter("badRecords");
    current = splitState(NO_SPLIT);
    long period = idleAfterMillis > 0 ? Math.max(1, Math.min(intervalMillis, idleAfterMillis / 2)) : intervalMillis;
    timer = context.schedulePeriodic(period, this::onTimer);
  }

  private SplitWatermark splitState(String id) {
    return splits.computeIfAbsent(id, k -> new SplitWatermark());
  }

  @Override
  public void split(String splitId, boolean finished) {
    SplitWatermark s = splitState(splitId);
    if (finished) {
      s.generator.onPeriodicEmit(s);
      s.finished = true;
      advance();
    } else {
      current = s;
      // the default split only stands for records of sources that announce none
      SplitWatermark none = splits.get(NO_SPLIT);
      if (none != null && none.watermark == Long.MIN_VALUE) {
        none.finished = true;
      }
    }
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
    SplitWatermark s = current;
    if (s.idle) {
      s.idle = false;
    }
    if (idle) {
      idle = false;
      output.idleness(false);
    }
    if (idleAfterMillis > 0) {
      s.lastRecordMillis = System.currentTimeMillis();
    }
    // the record first, then the generator: a watermark it emits from onEvent follows the record
    // that caused it (as in Flink), so timers that watermark fires see the record
    output.collect(record, t);
    s.generator.onEvent(record, t, s);
    if (++sinceEmit >= EMIT_EVERY) {
      sinceEmit = 0;
      s.generator.onPeriodicEmit(s);
      advance();
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
    long now = System.currentTimeMillis();
    for (SplitWatermark s : splits.values()) {
      if (s.finished) {
        continue;
      }
      s.generator.onPeriodicEmit(s);
      if (idleAfterMillis > 0 && !s.idle && now - s.lastRecordMillis >= idleAfterMillis) {
        s.idle = true;
      }
    }
    advance();
  }

  /** Emits the minimum over live splits if it advanced; declares idleness when all are idle. */
  private void advance() {
    long min = Long.MAX_VALUE;
    boolean live = false;
    boolean allIdle = true;
    for (SplitWatermark s : splits.values()) {
      if (s.finished) {
        continue;
      }
      live = true;
      if (!s.idle) {
        allIdle = false;
        min = Math.min(min, s.watermark);
      }
    }
    if (live && allIdle) {
      if (!idle) {
        idle = true;
        output.idleness(true);
      }
      return;
    }
    if (live && min > emitted && min != Long.MAX_VALUE) {
      emit(min);
    }
  }

  private void emit(long watermark) {
    emitted = watermark;
    output.watermark(watermark);
    for (Output<Object> side : sideOutputs()) {
      side.watermark(watermark);
    }
  }

  @Override
  public void watermark(long watermark) {
    if (watermark == Long.MAX_VALUE && emitted < Long.MAX_VALUE) {
      emit(watermark); // the end of a bounded input
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
