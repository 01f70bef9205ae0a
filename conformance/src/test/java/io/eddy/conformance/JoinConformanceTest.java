package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two-input dataflows on Eddy and on Flink 2.3: interval and window joins, connected keyed streams
 * with timers, and broadcast state. Both inputs are split from one source subtask, so each input's
 * watermarks are fixed; which input a two-input subtask reads first is not, in either engine, so
 * the input has no late records (what is late would depend on that order) and results are
 * compared as multisets.
 */
@Timeout(300)
class JoinConformanceTest {
  static final int P = 3;
  static final long BOUND = 250;
  static final List<Ev> EVENTS = Inputs.outOfOrder(37, 3000, 11, 3, (int) BOUND, 0, 1);

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  static boolean left(Ev e) {
    return Math.floorMod(e.value(), 3) != 0;
  }

  static String pair(Ev l, Ev r) {
    return l.key() + " " + l.value() + ":" + l.ts() + " " + r.value() + ":" + r.ts();
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  static final class FLeft implements org.apache.flink.api.common.functions.FilterFunction<Ev> {
    public boolean filter(Ev e) {
      return left(e);
    }
  }

  static final class FRight implements org.apache.flink.api.common.functions.FilterFunction<Ev> {
    public boolean filter(Ev e) {
      return !left(e);
    }
  }

  // ------------------------------------------------------------------ interval join

  static final class EPairs extends io.eddy.api.ProcessJoinFunction<Ev, Ev, String> {
    public void processElement(Ev l, Ev r, io.eddy.api.function.Collector<String> out) {
      out.collect(pair(l, r));
    }
  }

  static final class FPairs extends ProcessJoinFunction<Ev, Ev, String> {
    public void processElement(Ev l, Ev r, Context ctx, Collector<String> out) {
      out.collect(pair(l, r));
    }
  }

  @Test
  void intervalJoin() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .keyBy(Ev::key).intervalJoin(in.filter(e -> !left(e)).keyBy(Ev::key))
        .between(Duration.ofMillis(-40), Duration.ofMillis(25)).process(new EPairs()), "j"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .keyBy(new FKey()).intervalJoin(in.filter(new FRight()).keyBy(new FKey()))
        .between(Duration.ofMillis(-40), Duration.ofMillis(25)).process(new FPairs()), "j"));
    Compare.sameLines(eddy, flink, "j");
  }

  @Test
  void intervalJoinWithBoundsBothBeforeTheLeftRecord() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .keyBy(Ev::key).intervalJoin(in.filter(e -> !left(e)).keyBy(Ev::key))
        .between(Duration.ofMillis(-60), Duration.ofMillis(-10)).process(new EPairs()), "j"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .keyBy(new FKey()).intervalJoin(in.filter(new FRight()).keyBy(new FKey()))
        .between(Duration.ofMillis(-60), Duration.ofMillis(-10)).process(new FPairs()), "j"));
    Compare.sameLines(eddy, flink, "j");
  }

  /**
   * Records exactly at the watermark their predecessor caused are not late for an interval join
   * (Flink drops only records below the watermark), whichever input the join read first. Pairs at
   * the edge of a partner's cleanup (its time plus the bound equals the watermark) are left out:
   * whether the partner is still buffered depends on that order, in both engines.
   */
  @Test
  void intervalJoinKeepsRecordsAtTheWatermark() throws Exception {
    List<Ev> events = new java.util.ArrayList<>();
    long max = Long.MIN_VALUE;
    java.util.Random rnd = new java.util.Random(67);
    int atWatermark = 0;
    for (int i = 0; i < 2000; i++) {
      long ts = Inputs.BASE + i * 3L - rnd.nextInt((int) BOUND + 1);
      if (max != Long.MIN_VALUE && rnd.nextInt(10) == 0) {
        ts = max - BOUND - 1; // the watermark the previous record caused
        atWatermark++;
      } else if (max != Long.MIN_VALUE && ts < max - BOUND) {
        ts = max - BOUND;
      }
      max = Math.max(max, ts);
      events.add(new Ev(rnd.nextInt(5), rnd.nextInt(1000) - 200, ts));
    }
    assertThat(atWatermark).isGreaterThan(100);
    List<String> eddy = EddyRun.run(P, events, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .keyBy(Ev::key).intervalJoin(in.filter(e -> !left(e)).keyBy(Ev::key))
        .between(Duration.ofMillis(-40), Duration.ofMillis(25)).process(new EPairs()), "j"));
    List<String> flink = FlinkRun.run(P, events, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .keyBy(new FKey()).intervalJoin(in.filter(new FRight()).keyBy(new FKey()))
        .between(Duration.ofMillis(-40), Duration.ofMillis(25)).process(new FPairs()), "j"));
    java.util.function.Predicate<String> edge = l -> {
      String[] f = l.substring(0, l.indexOf('@')).split(" ");
      long lt = Long.parseLong(f[2].split(":")[1]);
      long rt = Long.parseLong(f[3].split(":")[1]);
      return rt == lt + 25 || rt == lt - 40;
    };
    eddy.removeIf(edge);
    flink.removeIf(edge);
    Compare.sameLines(eddy, flink, "j");
  }

  // ------------------------------------------------------------------ window join

  static final class FJoin implements org.apache.flink.api.common.functions.JoinFunction<Ev, Ev, String> {
    public String join(Ev l, Ev r) {
      return pair(l, r);
    }
  }

  @Test
  void tumblingWindowJoin() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .join(in.filter(e -> !left(e))).where(Ev::key).equalTo(Ev::key)
        .window(io.eddy.time.TumblingWindows.eventTime(Duration.ofMillis(100)))
        .apply(JoinConformanceTest::pair), "j"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .join(in.filter(new FRight())).where(new FKey()).equalTo(new FKey())
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
        .apply(new FJoin()), "j"));
    Compare.sameLines(eddy, flink, "j");
  }

  @Test
  void slidingWindowJoin() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .join(in.filter(e -> !left(e))).where(Ev::key).equalTo(Ev::key)
        .window(io.eddy.time.SlidingWindows.eventTime(Duration.ofMillis(90), Duration.ofMillis(30)))
        .apply(JoinConformanceTest::pair), "j"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .join(in.filter(new FRight())).where(new FKey()).equalTo(new FKey())
        .window(SlidingEventTimeWindows.of(Duration.ofMillis(90), Duration.ofMillis(30)))
        .apply(new FJoin()), "j"));
    Compare.sameLines(eddy, flink, "j");
  }

  // ------------------------------------------------------------------ connect with timers

  /**
   * Per key and 500 ms bucket of event time, sums each side's values and emits both sums when the
   * watermark passes the bucket (a timer at its last millisecond): records of a bucket on either
   * side are all in by then, whichever input was read first.
   */
  static final class EBuckets extends io.eddy.api.KeyedCoProcessFunction<Integer, Ev, Ev, String> {
    private io.eddy.api.state.MapState<Long, long[]> sums;

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      sums = context.keyedState().getMapState(new io.eddy.api.state.MapStateDescriptor<>("sums", Long.class, long[].class));
    }

    private void add(Ev e, int side, io.eddy.api.KeyedProcessFunction.Context<Integer> ctx) throws Exception {
      long bucket = e.ts() / 500;
      long[] s = sums.get(bucket);
      s = s == null ? new long[2] : s.clone();
      s[side] += e.value();
      sums.put(bucket, s);
      ctx.timerService().registerEventTimeTimer(bucket * 500 + 499);
    }

    public void processElement1(Ev e, io.eddy.api.KeyedProcessFunction.Context<Integer> ctx,
        io.eddy.api.function.Collector<String> out) throws Exception {
      add(e, 0, ctx);
    }

    public void processElement2(Ev e, io.eddy.api.KeyedProcessFunction.Context<Integer> ctx,
        io.eddy.api.function.Collector<String> out) throws Exception {
      add(e, 1, ctx);
    }

    @Override
    public void onTimer(long time, io.eddy.api.KeyedProcessFunction.Context<Integer> ctx,
        io.eddy.api.function.Collector<String> out) throws Exception {
      long[] s = sums.get(time / 500);
      sums.remove(time / 500);
      out.collect(ctx.currentKey() + " " + time + " " + s[0] + " " + s[1]);
    }
  }

  static final class FBuckets extends KeyedCoProcessFunction<Integer, Ev, Ev, String> {
    private transient MapState<Long, long[]> sums;

    @Override
    public void open(OpenContext context) {
      sums = getRuntimeContext().getMapState(new MapStateDescriptor<>("sums", Types.LONG,
          org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    private void add(Ev e, int side, Context ctx) throws Exception {
      long bucket = e.ts() / 500;
      long[] s = sums.get(bucket);
      s = s == null ? new long[2] : s.clone();
      s[side] += e.value();
      sums.put(bucket, s);
      ctx.timerService().registerEventTimeTimer(bucket * 500 + 499);
    }

    public void processElement1(Ev e, Context ctx, Collector<String> out) throws Exception {
      add(e, 0, ctx);
    }

    public void processElement2(Ev e, Context ctx, Collector<String> out) throws Exception {
      add(e, 1, ctx);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
      long[] s = sums.get(time / 500);
      sums.remove(time / 500);
      out.collect(ctx.getCurrentKey() + " " + time + " " + s[0] + " " + s[1]);
    }
  }

  @Test
  void connectedKeyedStreamsWithTimers() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(JoinConformanceTest::left)
        .connect(in.filter(e -> !left(e))).keyBy(Ev::key, Ev::key).process(new EBuckets()), "c"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(new FLeft())
        .connect(in.filter(new FRight())).keyBy(new FKey(), new FKey()).process(new FBuckets()), "c"));
    Compare.sameLines(eddy, flink, "c");
  }

  // ------------------------------------------------------------------ broadcast state

  /**
   * Rules (records of key 0) go to every subtask's broadcast state; data records read it. Which
   * rules a data record sees depends on which input a subtask reads first, so only what does not
   * is compared: every subtask stores every rule once, in the source's order (the rules pass one
   * filter subtask; the state each rule finds is part of the line), and every data record is
   * processed once.
   */
  static final class EBroadcast extends io.eddy.api.BroadcastProcessFunction<Ev, Ev, String> {
    public void processElement(Ev e, ReadOnlyContext ctx, io.eddy.api.function.Collector<String> out) {
      out.collect("data " + e);
    }

    public void processBroadcastElement(Ev rule, Context ctx, io.eddy.api.function.Collector<String> out) {
      Map<Long, Long> rules = ctx.broadcastState("rules");
      long slot = Math.floorMod(rule.value(), 7);
      out.collect("rule " + rule.value() + " replaces " + rules.get(slot) + " of " + rules.size());
      rules.put(slot, rule.value());
    }
  }

  static final MapStateDescriptor<Long, Long> F_RULES = new MapStateDescriptor<>("rules", Types.LONG, Types.LONG);

  static final class FBroadcast extends BroadcastProcessFunction<Ev, Ev, String> {
    public void processElement(Ev e, ReadOnlyContext ctx, Collector<String> out) {
      out.collect("data " + e);
    }

    public void processBroadcastElement(Ev rule, Context ctx, Collector<String> out) throws Exception {
      var rules = ctx.getBroadcastState(F_RULES);
      long slot = Math.floorMod(rule.value(), 7);
      int size = 0;
      for (var ignored : rules.entries()) {
        size++;
      }
      out.collect("rule " + rule.value() + " replaces " + rules.get(slot) + " of " + size);
      rules.put(slot, rule.value());
    }
  }

  static final class FRules implements org.apache.flink.api.common.functions.FilterFunction<Ev> {
    public boolean filter(Ev e) {
      return e.key() == 0;
    }
  }

  static final class FData implements org.apache.flink.api.common.functions.FilterFunction<Ev> {
    public boolean filter(Ev e) {
      return e.key() != 0;
    }
  }

  @Test
  void broadcastStateReachesEverySubtask() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.filter(e -> e.key() != 0)
        .connect(in.filter(e -> e.key() == 0).parallelism(1).broadcastStream()).process(new EBroadcast()), "b"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      BroadcastStream<Ev> rules = in.filter(new FRules()).setParallelism(1).broadcast(F_RULES);
      DataStream<Ev> data = in.filter(new FData());
      out.collect(data.connect(rules).process(new FBroadcast()), "b");
    });
    Compare.sameLines(eddy, flink, "b");
    long ruleCount = EVENTS.stream().filter(e -> e.key() == 0).count();
    assertThat(flink.stream().filter(l -> l.startsWith("b rule")).count()).isEqualTo(P * ruleCount);
  }
}
