package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keyed state with a time-to-live, and the end of a bounded input, on Eddy and on Flink 2.3. State
 * TTL runs on the wall clock, which neither engine lets a job control, so the functions wait for
 * the clock themselves: a record's action says how long after the key's last state access it
 * reads (a fraction of the TTL, with a margin either side), so whether a value has expired is the
 * same in both engines.
 */
@Timeout(300)
class StateConformanceTest {
  static final int P = 2;
  static final long TTL = 1000;

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  /**
   * One key's script: {@code value = waitPercentOfTtl * 10 + write}. Write; read after 0.8 TTL; read
   * 0.8 TTL after that read (expired only when reads do not restart the TTL); read and write after
   * 1.1 TTL (expired in both); read at once.
   */
  static final List<Ev> SCRIPT = List.of(
      new Ev(1, 1, 1000), new Ev(1, 800, 1001), new Ev(1, 800, 1002), new Ev(1, 1101, 1003), new Ev(1, 0, 1004),
      new Ev(2, 1, 1005), new Ev(2, 0, 1006));

  /** Waits until {@code since + fraction of the TTL}: the script's clock, the same in both engines. */
  static void waitFor(long since, long percent) {
    long until = since + TTL * percent / 100;
    while (System.currentTimeMillis() < until) {
      Thread.onSpinWait();
    }
  }

  static final class ETtl extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private final io.eddy.api.state.StateTtlConfig.UpdateType type;
    private io.eddy.api.state.ValueState<Long> value;
    private io.eddy.api.state.ValueState<Long> touched;

    ETtl(io.eddy.api.state.StateTtlConfig.UpdateType type) {
      this.type = type;
    }

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      value = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("value", Long.class)
          .enableTimeToLive(io.eddy.api.state.StateTtlConfig.of(Duration.ofMillis(TTL), type)));
      touched = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("touched", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      if (touched.value() != null) {
        waitFor(touched.value(), e.value() / 10);
      }
      out.collect(e.key() + " " + e.ts() + " read " + value.value());
      if (e.value() % 10 == 1) {
        value.update(e.ts());
      }
      touched.update(System.currentTimeMillis());
    }
  }

  static final class FTtl extends KeyedProcessFunction<Integer, Ev, String> {
    private final StateTtlConfig.UpdateType type;
    private transient ValueState<Long> value;
    private transient ValueState<Long> touched;

    FTtl(StateTtlConfig.UpdateType type) {
      this.type = type;
    }

    @Override
    public void open(OpenContext context) {
      ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("value", Long.class);
      d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(TTL)).setUpdateType(type)
          .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired).build());
      value = getRuntimeContext().getState(d);
      touched = getRuntimeContext().getState(new ValueStateDescriptor<>("touched", Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      if (touched.value() != null) {
        waitFor(touched.value(), e.value() / 10);
      }
      out.collect(e.key() + " " + e.ts() + " read " + value.value());
      if (e.value() % 10 == 1) {
        value.update(e.ts());
      }
      touched.update(System.currentTimeMillis());
    }
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  @Test
  void ttlRestartedByWritesOnly() throws Exception {
    List<String> eddy = EddyRun.run(P, SCRIPT, 0, (in, out) -> out.collect(in.keyBy(Ev::key)
        .process(new ETtl(io.eddy.api.state.StateTtlConfig.UpdateType.ON_CREATE_AND_WRITE)), "s"));
    List<String> flink = FlinkRun.run(P, SCRIPT, 0, (in, out) -> out.collect(in.keyBy(new FKey())
        .process(new FTtl(StateTtlConfig.UpdateType.OnCreateAndWrite)), "s"));
    Compare.sameLines(eddy, flink, "s");
    assertThat(flink).contains("s 1 1002 read null@1002", "s 1 1003 read null@1003", "s 1 1004 read 1003@1004");
  }

  @Test
  void ttlRestartedByReadsToo() throws Exception {
    List<String> eddy = EddyRun.run(P, SCRIPT, 0, (in, out) -> out.collect(in.keyBy(Ev::key)
        .process(new ETtl(io.eddy.api.state.StateTtlConfig.UpdateType.ON_READ_AND_WRITE)), "s"));
    List<String> flink = FlinkRun.run(P, SCRIPT, 0, (in, out) -> out.collect(in.keyBy(new FKey())
        .process(new FTtl(StateTtlConfig.UpdateType.OnReadAndWrite)), "s"));
    Compare.sameLines(eddy, flink, "s");
    assertThat(flink).contains("s 1 1002 read 1000@1002", "s 1 1003 read null@1003");
  }

  // ------------------------------------------------------------------ the end of a bounded input

  /** A timer at the end of time fires with the final watermark, as word counts at the end need. */
  static final class ECountToEnd extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private io.eddy.api.state.ValueState<Long> count;

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      count = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      count.update(count.value() == null ? 1 : count.value() + 1);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      out.collect(ctx.currentKey() + " " + count.value() + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  static final class FCountToEnd extends KeyedProcessFunction<Integer, Ev, String> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      count.update(count.value() == null ? 1 : count.value() + 1);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
      out.collect(ctx.getCurrentKey() + " " + count.value() + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  static final class FSum implements org.apache.flink.api.common.functions.ReduceFunction<Ev> {
    public Ev reduce(Ev a, Ev b) {
      return new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()));
    }
  }

  /**
   * At the end of the input: timers at the end of time fire, the last event-time windows fire, and
   * global windows with their default trigger never do.
   */
  @Test
  void theEndOfInputFiresEventTimeWork() throws Exception {
    List<Ev> events = Inputs.outOfOrder(41, 1500, 6, 3, 250, 0.02, 400);
    List<String> eddy = EddyRun.run(3, events, 250, (in, out) -> {
      out.collect(in.keyBy(Ev::key).process(new ECountToEnd()), "end");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofSeconds(10)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "window");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.GlobalWindows.<Ev>create())
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "global");
    });
    List<String> flink = FlinkRun.run(3, events, 250, (in, out) -> {
      out.collect(in.keyBy(new FKey()).process(new FCountToEnd()), "end");
      out.collect(in.keyBy(new FKey()).window(TumblingEventTimeWindows.of(Duration.ofSeconds(10))).reduce(new FSum()), "window");
      out.collect(in.keyBy(new FKey()).window(GlobalWindows.create()).reduce(new FSum()), "global");
    });
    Compare.sameLines(eddy, flink, "end", "window");
    assertThat(flink).noneMatch(l -> l.startsWith("global "));
  }
}
