package io.eddy.conformance;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Watermark generators on Eddy and on Flink 2.3. A punctuated generator's watermarks are fixed by
 * the records, so what every record sees of the watermark downstream is compared line for line. A
 * periodic generator's watermarks depend on the clock, so only what does not is compared: with a
 * bound above the input's disorder no record is late, and window results are the same. The same
 * holds with an idleness timeout on a source that is never silent for that long.
 */
@Timeout(300)
class WatermarkConformanceTest {
  static final int P = 3;
  static final long BOUND = 250;

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  static final class EWatermarkSeen extends io.eddy.api.ProcessFunction<Ev, String> {
    public void processElement(Ev e, Context ctx, io.eddy.api.function.Collector<String> out) {
      out.collect(e + " wm=" + ctx.currentWatermark());
    }
  }

  static final class FWatermarkSeen extends ProcessFunction<Ev, String> {
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      out.collect(e + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  /** Every record, spread round robin over three subtasks, sees the watermark its predecessor caused. */
  @Test
  void punctuatedWatermarksFollowTheirRecordsDownstream() throws Exception {
    List<Ev> events = Inputs.outOfOrder(43, 2000, 5, 3, (int) BOUND, 0.03, 600);
    List<String> eddy = EddyRun.run(P, events, BOUND, (in, out) -> out.collect(in.rebalance().process(new EWatermarkSeen()), "r"));
    List<String> flink = FlinkRun.run(P, events, BOUND, (in, out) -> out.collect(in.rebalance().process(new FWatermarkSeen()), "r"));
    Compare.sameLines(eddy, flink, "r");
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

  private static void periodic(Duration idleness) throws Exception {
    List<Ev> events = Inputs.outOfOrder(47, 4000, 5, 2, (int) BOUND, 0, 1);
    io.eddy.time.WatermarkStrategy<Ev> eddyStrategy =
        io.eddy.time.WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(BOUND + 1))
            .withTimestampAssigner((e, t) -> e.ts());
    WatermarkStrategy<Ev> flinkStrategy = WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(BOUND + 1))
        .withTimestampAssigner((e, t) -> e.ts());
    if (idleness != null) {
      eddyStrategy = eddyStrategy.withIdleness(idleness);
      flinkStrategy = flinkStrategy.withIdleness(idleness);
    }
    List<String> eddy = EddyRun.run(P, events, eddyStrategy, "", (in, out) -> {
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(200)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "tumbling");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(15)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "session");
    });
    List<String> flink = FlinkRun.run(P, events, flinkStrategy, (in, out) -> {
      out.collect(in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(200))).reduce(new FSum()), "tumbling");
      out.collect(in.keyBy(new FKey()).window(EventTimeSessionWindows.withGap(Duration.ofMillis(15))).reduce(new FSum()), "session");
    });
    Compare.sameLines(eddy, flink, "tumbling", "session");
  }

  @Test
  void periodicBoundedOutOfOrdernessLosesNothingWithinItsBound() throws Exception {
    periodic(null);
  }

  @Test
  void idlenessDoesNotChangeTheResultsOfASourceThatIsNeverSilent() throws Exception {
    periodic(Duration.ofSeconds(5));
  }
}
