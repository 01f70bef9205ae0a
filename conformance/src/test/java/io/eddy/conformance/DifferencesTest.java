package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The differences from Flink that README.md lists, each shown on both engines. */
@Timeout(300)
class DifferencesTest {
  static final long BOUND = 250;
  static final List<Ev> EVENTS = Inputs.outOfOrder(53, 1500, 4, 3, (int) BOUND, 0, 1);

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  /** A trigger that registers no timer and fires whenever it is asked about event time. */
  static final class EFireOnAnyTimer implements io.eddy.time.Trigger<Ev, io.eddy.time.TimeWindow> {
    public Result onElement(Ev e, long ts, io.eddy.time.TimeWindow w, Context ctx) {
      return Result.CONTINUE;
    }

    public Result onEventTime(long time, io.eddy.time.TimeWindow w, Context ctx) {
      return Result.FIRE;
    }

    public Result onProcessingTime(long time, io.eddy.time.TimeWindow w, Context ctx) {
      return Result.CONTINUE;
    }
  }

  static final class FFireOnAnyTimer extends Trigger<Object, TimeWindow> {
    public TriggerResult onElement(Object e, long ts, TimeWindow w, TriggerContext ctx) {
      return TriggerResult.CONTINUE;
    }

    public TriggerResult onEventTime(long time, TimeWindow w, TriggerContext ctx) {
      return TriggerResult.FIRE;
    }

    public TriggerResult onProcessingTime(long time, TimeWindow w, TriggerContext ctx) {
      return TriggerResult.CONTINUE;
    }

    public void clear(TimeWindow w, TriggerContext ctx) {}
  }

  static final class FSum implements org.apache.flink.api.common.functions.ReduceFunction<Ev> {
    public Ev reduce(Ev a, Ev b) {
      return new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()));
    }
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  /**
   * Flink asks a window's trigger about event time at the window's cleanup time (its end plus the
   * allowed lateness) even when the trigger registered no timer for it; Eddy asks a trigger only at
   * the times it registered. The built-in triggers answer the same either way.
   */
  @Test
  void aTriggerIsAskedOnlyAtTheTimesItRegistered() throws Exception {
    List<String> eddy = EddyRun.run(2, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(500)))
        .trigger(new EFireOnAnyTimer())
        .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "w"));
    List<String> flink = FlinkRun.run(2, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(500)))
        .trigger(new FFireOnAnyTimer())
        .reduce(new FSum()), "w"));
    assertThat(eddy).isEmpty();
    // Flink fires each (key, window) once, at its cleanup time, with its full contents
    long windows = EVENTS.stream().map(e -> e.key() + "/" + e.ts() / 500).distinct().count();
    assertThat(flink).hasSize((int) windows).allMatch(l -> l.endsWith("99"));
  }

  static final class EWatermarks extends io.eddy.api.ProcessFunction<Ev, String> {
    public void processElement(Ev e, Context ctx, io.eddy.api.function.Collector<String> out) {
      if (ctx.currentWatermark() > Long.MIN_VALUE) {
        out.collect("advanced");
      }
    }
  }

  static final class FWatermarks extends ProcessFunction<Ev, String> {
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      if (ctx.timerService().currentWatermark() > Long.MIN_VALUE) {
        out.collect("advanced");
      }
    }
  }

  /**
   * Eddy asks a periodic watermark generator for a watermark every watermark interval and also
   * after every 1024 records; Flink only every interval. With an interval of an hour, records
   * downstream see the watermark advance on Eddy and never on Flink (until the end of input).
   */
  @Test
  void periodicGeneratorsAreAlsoAskedEvery1024Records() throws Exception {
    List<String> eddy = EddyRun.run(1, EVENTS,
        io.eddy.time.WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(BOUND)).withTimestampAssigner((e, t) -> e.ts()),
        "\"watermarkIntervalMillis\": 3600000",
        (in, out) -> out.collect(in.process(new EWatermarks()), "r"));
    List<String> flink = FlinkRun.run(1, EVENTS,
        WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(BOUND)).withTimestampAssigner((e, t) -> e.ts()),
        3_600_000, (in, out) -> out.collect(in.process(new FWatermarks()), "r"));
    assertThat(flink).isEmpty();
    assertThat(eddy).hasSize(EVENTS.size() - 1024);
  }
}
