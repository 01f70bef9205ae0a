package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.OutputTag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.ContinuousEventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.CountTrigger;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.PurgingTrigger;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Windows on Eddy and on Flink 2.3, line for line: tumbling, sliding, session and global windows,
 * with allowed lateness and late side outputs, every built-in trigger, and reduce, aggregate and
 * process window functions. One source subtask with a punctuated watermark (bound 250 ms), so
 * what each window operator subtask sees is fixed; the windows run at parallelism 3.
 */
@Timeout(300)
class WindowConformanceTest {
  static final int P = 3;
  static final long BOUND = 250;
  static final List<Ev> EVENTS = Inputs.outOfOrder(11, 3000, 7, 3, (int) BOUND, 0.03, 600);

  static final OutputTag<Ev> E_LATE = new OutputTag<>("late");
  static final org.apache.flink.util.OutputTag<Ev> F_LATE =
      new org.apache.flink.util.OutputTag<>("late", TypeInformation.of(Ev.class));

  /** A window's result: key, bounds, sum and count of values. */
  public record Agg(int key, long start, long end, long sum, long count) {}

  /** A window's elements as {@code value:ts}, in the order the function got them. */
  public record Elements(int key, long start, long end, List<String> elements) {}

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  @Test
  void theInputHasLateRecords() {
    assertThat(Inputs.lateCount(EVENTS, BOUND)).isGreaterThan(50);
  }

  // ------------------------------------------------------------------ Eddy's functions

  static final class ESumCount implements io.eddy.api.function.AggregateFunction<Ev, long[], long[]> {
    public long[] createAccumulator() {
      return new long[2];
    }

    public long[] add(Ev e, long[] acc) {
      acc[0] += e.value();
      acc[1]++;
      return acc;
    }

    public long[] getResult(long[] acc) {
      return acc.clone();
    }

    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  static final class EToAgg extends io.eddy.time.ProcessWindowFunction<long[], Agg, Integer, io.eddy.time.TimeWindow> {
    public void process(Integer key, Context<io.eddy.time.TimeWindow> ctx, Iterable<long[]> in,
        io.eddy.api.function.Collector<Agg> out) {
      long[] r = in.iterator().next();
      out.collect(new Agg(key, ctx.window().start(), ctx.window().end(), r[0], r[1]));
    }
  }

  static final class EElements<W extends io.eddy.time.Window>
      extends io.eddy.time.ProcessWindowFunction<Ev, Elements, Integer, W> {
    private final boolean sorted;

    EElements(boolean sorted) {
      this.sorted = sorted;
    }

    public void process(Integer key, Context<W> ctx, Iterable<Ev> in,
        io.eddy.api.function.Collector<Elements> out) {
      List<String> l = new ArrayList<>();
      in.forEach(e -> l.add(e.value() + ":" + e.ts()));
      if (sorted) {
        l.sort(null);
      }
      long start = ctx.window() instanceof io.eddy.time.TimeWindow w ? w.start() : -1;
      long end = ctx.window() instanceof io.eddy.time.TimeWindow w ? w.end() : -1;
      out.collect(new Elements(key, start, end, l));
    }
  }

  static Ev sum(Ev a, Ev b) {
    return new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()));
  }

  // ------------------------------------------------------------------ Flink's functions

  static final class FSumCount implements org.apache.flink.api.common.functions.AggregateFunction<Ev, long[], long[]> {
    public long[] createAccumulator() {
      return new long[2];
    }

    public long[] add(Ev e, long[] acc) {
      acc[0] += e.value();
      acc[1]++;
      return acc;
    }

    public long[] getResult(long[] acc) {
      return acc.clone();
    }

    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  static final class FToAgg extends org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction<long[], Agg, Integer, TimeWindow> {
    public void process(Integer key, Context ctx, Iterable<long[]> in, org.apache.flink.util.Collector<Agg> out) {
      long[] r = in.iterator().next();
      out.collect(new Agg(key, ctx.window().getStart(), ctx.window().getEnd(), r[0], r[1]));
    }
  }

  static final class FElements<W extends org.apache.flink.streaming.api.windowing.windows.Window>
      extends org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction<Ev, Elements, Integer, W> {
    private final boolean sorted;

    FElements(boolean sorted) {
      this.sorted = sorted;
    }

    public void process(Integer key, Context ctx, Iterable<Ev> in, org.apache.flink.util.Collector<Elements> out) {
      List<String> l = new ArrayList<>();
      in.forEach(e -> l.add(e.value() + ":" + e.ts()));
      if (sorted) {
        l.sort(null);
      }
      long start = ctx.window() instanceof TimeWindow w ? w.getStart() : -1;
      long end = ctx.window() instanceof TimeWindow w ? w.getEnd() : -1;
      out.collect(new Elements(key, start, end, l));
    }
  }

  static final class FSum implements org.apache.flink.api.common.functions.ReduceFunction<Ev> {
    public Ev reduce(Ev a, Ev b) {
      return sum(a, b);
    }
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  // ------------------------------------------------------------------ the dataflows

  @Test
  void tumblingReduceWithLateSideOutput() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      var w = in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(1000)))
          .sideOutputLateData(E_LATE).reduce(WindowConformanceTest::sum);
      out.collect(w, "w");
      out.collect(w.sideOutput(E_LATE), "late");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      SingleOutputStreamOperator<Ev> w = in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(1000)))
          .sideOutputLateData(F_LATE).reduce(new FSum());
      out.collect(w, "w");
      out.collect(w.getSideOutput(F_LATE), "late");
    });
    Compare.sameLines(eddy, flink, "w", "late");
  }

  @Test
  void slidingAggregateWithAllowedLatenessAndLateSideOutput() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      var w = in.keyBy(Ev::key).window(io.eddy.time.SlidingWindows.<Ev>eventTime(Duration.ofMillis(600), Duration.ofMillis(200)))
          .allowedLateness(Duration.ofMillis(100)).sideOutputLateData(E_LATE).aggregate(new ESumCount(), new EToAgg());
      out.collect(w, "w");
      out.collect(w.sideOutput(E_LATE), "late");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      SingleOutputStreamOperator<Agg> w = in.keyBy(new FKey())
          .window(SlidingEventTimeWindows.of(Duration.ofMillis(600), Duration.ofMillis(200)))
          .allowedLateness(Duration.ofMillis(100)).sideOutputLateData(F_LATE).aggregate(new FSumCount(), new FToAgg());
      out.collect(w, "w");
      out.collect(w.getSideOutput(F_LATE), "late");
    });
    Compare.sameLines(eddy, flink, "w", "late");
  }

  @Test
  void sessionAggregateWithAllowedLatenessAndLateSideOutput() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      var w = in.keyBy(Ev::key).window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(20)))
          .allowedLateness(Duration.ofMillis(300)).sideOutputLateData(E_LATE).aggregate(new ESumCount(), new EToAgg());
      out.collect(w, "w");
      out.collect(w.sideOutput(E_LATE), "late");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      SingleOutputStreamOperator<Agg> w = in.keyBy(new FKey()).window(EventTimeSessionWindows.withGap(Duration.ofMillis(20)))
          .allowedLateness(Duration.ofMillis(300)).sideOutputLateData(F_LATE).aggregate(new FSumCount(), new FToAgg());
      out.collect(w, "w");
      out.collect(w.getSideOutput(F_LATE), "late");
    });
    Compare.sameLines(eddy, flink, "w", "late");
  }

  @Test
  void sessionProcessGetsAllElements() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(21)))
        .process(new EElements<>(true)), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(21)))
        .process(new FElements<>(true)), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void tumblingProcessWithAllowedLatenessReFires() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(500)))
        .allowedLateness(Duration.ofMillis(200))
        .process(new EElements<>(true)), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(500)))
        .allowedLateness(Duration.ofMillis(200))
        .process(new FElements<>(true)), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void tumblingReduceWithWindowFunction() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(700)))
        .reduce(WindowConformanceTest::sum, new EElements<>(false)), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(700)))
        .reduce(new FSum(), new FElements<>(false)), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void tumblingAggregateWithoutWindowFunction() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(300)))
        .aggregate(new ESumCount()), "w", java.util.Arrays::toString));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(300)))
        .aggregate(new FSumCount()), "w", java.util.Arrays::toString));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void windowAllAggregate() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in
        .windowAll(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(400)))
        .aggregate(new ESumCount()), "w", java.util.Arrays::toString));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in
        .windowAll(TumblingEventTimeWindows.of(Duration.ofMillis(400)))
        .aggregate(new FSumCount()), "w", java.util.Arrays::toString));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void globalWindowsWithPurgingCountTrigger() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.GlobalWindows.<Ev>create())
        .trigger(io.eddy.time.Triggers.purging(io.eddy.time.Triggers.count(5)))
        .process(new EElements<>(false)), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(GlobalWindows.create())
        .trigger(PurgingTrigger.of(CountTrigger.of(5)))
        .process(new FElements<GlobalWindow>(false)), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void globalWindowsWithCountTriggerKeepTheirContents() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.GlobalWindows.<Ev>create())
        .trigger(io.eddy.time.Triggers.count(40))
        .aggregate(new ESumCount()), "w", java.util.Arrays::toString));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(40))
        .aggregate(new FSumCount()), "w", java.util.Arrays::toString));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void tumblingWithContinuousEventTimeTrigger() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      var w = in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(2000)))
          .trigger(io.eddy.time.Triggers.continuousEventTime(Duration.ofMillis(500)))
          .sideOutputLateData(E_LATE).aggregate(new ESumCount(), new EToAgg());
      out.collect(w, "w");
      out.collect(w.sideOutput(E_LATE), "late");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      SingleOutputStreamOperator<Agg> w = in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(2000)))
          .trigger(ContinuousEventTimeTrigger.of(Duration.ofMillis(500)))
          .sideOutputLateData(F_LATE).aggregate(new FSumCount(), new FToAgg());
      out.collect(w, "w");
      out.collect(w.getSideOutput(F_LATE), "late");
    });
    Compare.sameLines(eddy, flink, "w", "late");
  }

  @Test
  void sessionsWithContinuousEventTimeTriggerAndLateness() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(40)))
        .trigger(io.eddy.time.Triggers.continuousEventTime(Duration.ofMillis(30)))
        .allowedLateness(Duration.ofMillis(100))
        .aggregate(new ESumCount(), new EToAgg()), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(40)))
        .trigger(ContinuousEventTimeTrigger.of(Duration.ofMillis(30)))
        .allowedLateness(Duration.ofMillis(100))
        .aggregate(new FSumCount(), new FToAgg()), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void sessionsWithCountTrigger() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(60)))
        .trigger(io.eddy.time.Triggers.count(3))
        .aggregate(new ESumCount(), new EToAgg()), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(EventTimeSessionWindows.withGap(Duration.ofMillis(60)))
        .trigger(CountTrigger.of(3))
        .aggregate(new FSumCount(), new FToAgg()), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void tumblingWithCountTriggerAndLatenessNeverFiresAtTheEnd() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(1000)))
        .trigger(io.eddy.time.Triggers.count(7))
        .allowedLateness(Duration.ofMillis(300))
        .aggregate(new ESumCount(), new EToAgg()), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(1000)))
        .trigger(CountTrigger.of(7))
        .allowedLateness(Duration.ofMillis(300))
        .aggregate(new FSumCount(), new FToAgg()), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  @Test
  void slidingWithPurgingEventTimeTriggerAndLateness() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .window(io.eddy.time.SlidingWindows.<Ev>eventTime(Duration.ofMillis(400), Duration.ofMillis(200)))
        .trigger(io.eddy.time.Triggers.purging(io.eddy.time.Triggers.eventTime()))
        .allowedLateness(Duration.ofMillis(400))
        .process(new EElements<>(true)), "w"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey())
        .window(SlidingEventTimeWindows.of(Duration.ofMillis(400), Duration.ofMillis(200)))
        .trigger(PurgingTrigger.of(EventTimeTrigger.create()))
        .allowedLateness(Duration.ofMillis(400))
        .process(new FElements<>(true)), "w"));
    Compare.sameLines(eddy, flink, "w");
  }

  static final class EWithWatermark extends io.eddy.time.ProcessWindowFunction<long[], String, Integer, io.eddy.time.TimeWindow> {
    public void process(Integer key, Context<io.eddy.time.TimeWindow> ctx, Iterable<long[]> in,
        io.eddy.api.function.Collector<String> out) {
      long[] r = in.iterator().next();
      out.collect(key + " [" + ctx.window().start() + "," + ctx.window().end() + ") " + r[0] + "/" + r[1]
          + " wm=" + ctx.currentWatermark());
    }
  }

  static final class FWithWatermark extends org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction<long[], String, Integer, TimeWindow> {
    public void process(Integer key, Context ctx, Iterable<long[]> in, org.apache.flink.util.Collector<String> out) {
      long[] r = in.iterator().next();
      out.collect(key + " [" + ctx.window().getStart() + "," + ctx.window().getEnd() + ") " + r[0] + "/" + r[1]
          + " wm=" + ctx.currentWatermark());
    }
  }

  /** Window functions see the watermark that fired them (or, for a late firing, the current one). */
  @Test
  void windowsWithOffsetsSeeTheWatermarkThatFiredThem() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(400))
              .withOffset(Duration.ofMillis(130))).allowedLateness(Duration.ofMillis(250))
          .aggregate(new ESumCount(), new EWithWatermark()), "tumbling");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.SlidingWindows.<Ev>eventTime(Duration.ofMillis(300), Duration.ofMillis(100))
              .withOffset(Duration.ofMillis(70))).allowedLateness(Duration.ofMillis(150))
          .aggregate(new ESumCount(), new EWithWatermark()), "sliding");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      out.collect(in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(400), Duration.ofMillis(130)))
          .allowedLateness(Duration.ofMillis(250)).aggregate(new FSumCount(), new FWithWatermark()), "tumbling");
      out.collect(in.keyBy(new FKey()).window(SlidingEventTimeWindows.of(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(70)))
          .allowedLateness(Duration.ofMillis(150)).aggregate(new FSumCount(), new FWithWatermark()), "sliding");
    });
    Compare.sameLines(eddy, flink, "tumbling", "sliding");
  }

  @Test
  void sessionsWithLatenessAndTriggersSeeTheWatermarkThatFiredThem() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(25)))
          .allowedLateness(Duration.ofMillis(200)).aggregate(new ESumCount(), new EWithWatermark()), "session");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(600)))
          .trigger(io.eddy.time.Triggers.continuousEventTime(Duration.ofMillis(150))).allowedLateness(Duration.ofMillis(200))
          .aggregate(new ESumCount(), new EWithWatermark()), "continuous");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      out.collect(in.keyBy(new FKey()).window(EventTimeSessionWindows.withGap(Duration.ofMillis(25)))
          .allowedLateness(Duration.ofMillis(200)).aggregate(new FSumCount(), new FWithWatermark()), "session");
      out.collect(in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(600)))
          .trigger(ContinuousEventTimeTrigger.of(Duration.ofMillis(150))).allowedLateness(Duration.ofMillis(200))
          .aggregate(new FSumCount(), new FWithWatermark()), "continuous");
    });
    Compare.sameLines(eddy, flink, "session", "continuous");
  }
}
