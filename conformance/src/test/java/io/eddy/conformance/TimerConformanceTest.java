package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.OutputTag;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keyed process functions with event-time timers on Eddy and on Flink 2.3, line for line, on
 * out-of-order input with late records (one source subtask, punctuated watermark): what a record
 * and a timer see of the watermark and the key's state, timers deleted and registered again,
 * timers in the past, side outputs, rolling reduce, and the end of the bounded input.
 */
@Timeout(300)
class TimerConformanceTest {
  static final int P = 3;
  static final long BOUND = 250;
  static final List<Ev> EVENTS = Inputs.outOfOrder(23, 3000, 9, 3, (int) BOUND, 0.03, 600);
  static final OutputTag<String> E_LATE = new OutputTag<>("late", String.class);
  static final org.apache.flink.util.OutputTag<String> F_LATE =
      new org.apache.flink.util.OutputTag<>("late", TypeInformation.of(String.class));

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  // ------------------------------------------------------- counting: timers see the key's state

  /** Counts a key's records; each registers a timer on a 100 ms grid past it, which emits the count. */
  static final class ECount extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private io.eddy.api.state.ValueState<Long> count;

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      count = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      Long c = count.value();
      count.update(c == null ? 1 : c + 1);
      long wm = ctx.timerService().currentWatermark();
      if (e.ts() <= wm) {
        ctx.output(E_LATE, e + " wm=" + wm);
      }
      ctx.timerService().registerEventTimeTimer((e.ts() / 100 + 1) * 100);
      out.collect("rec " + e + " wm=" + wm + " ts=" + ctx.timestamp());
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      out.collect("timer key=" + ctx.currentKey() + " t=" + time + " count=" + count.value() + " ts=" + ctx.timestamp()
          + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  static final class FCount extends KeyedProcessFunction<Integer, Ev, String> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      Long c = count.value();
      count.update(c == null ? 1 : c + 1);
      long wm = ctx.timerService().currentWatermark();
      if (e.ts() <= wm) {
        ctx.output(F_LATE, e + " wm=" + wm);
      }
      ctx.timerService().registerEventTimeTimer((e.ts() / 100 + 1) * 100);
      out.collect("rec " + e + " wm=" + wm + " ts=" + ctx.timestamp());
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
      out.collect("timer key=" + ctx.getCurrentKey() + " t=" + time + " count=" + count.value() + " ts=" + ctx.timestamp()
          + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  @Test
  void eventTimeTimersSeeTheRecordsBeforeTheirWatermark() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> {
      var p = in.keyBy(Ev::key).process(new ECount());
      out.collect(p, "p");
      out.collect(p.sideOutput(E_LATE), "late");
    });
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> {
      SingleOutputStreamOperator<String> p = in.keyBy(new FKey()).process(new FCount());
      out.collect(p, "p");
      out.collect(p.getSideOutput(F_LATE), "late");
    });
    Compare.sameLines(eddy, flink, "p", "late");
  }

  // ------------------------------------------------------- inactivity: a record deletes its timer

  /** Each record replaces its key's pending timer by one 300 ms after the record. */
  static final class EInactivity extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private io.eddy.api.state.ValueState<Long> pending;

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      pending = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("pending", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      Long t = pending.value();
      if (t != null) {
        ctx.timerService().deleteEventTimeTimer(t);
      }
      pending.update(e.ts() + 300);
      ctx.timerService().registerEventTimeTimer(e.ts() + 300);
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      pending.clear();
      out.collect("idle key=" + ctx.currentKey() + " t=" + time);
    }
  }

  static final class FInactivity extends KeyedProcessFunction<Integer, Ev, String> {
    private transient ValueState<Long> pending;

    @Override
    public void open(OpenContext context) {
      pending = getRuntimeContext().getState(new ValueStateDescriptor<>("pending", Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      Long t = pending.value();
      if (t != null) {
        ctx.timerService().deleteEventTimeTimer(t);
      }
      pending.update(e.ts() + 300);
      ctx.timerService().registerEventTimeTimer(e.ts() + 300);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
      pending.clear();
      out.collect("idle key=" + ctx.getCurrentKey() + " t=" + time);
    }
  }

  @Test
  void inactivityTimersDeletedByTheNextRecordNeverFire() throws Exception {
    List<Ev> sparse = Inputs.outOfOrder(31, 2000, 40, 12, (int) BOUND, 0.02, 400);
    List<String> eddy = EddyRun.run(P, sparse, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key).process(new EInactivity()), "p"));
    List<String> flink = FlinkRun.run(P, sparse, BOUND, (in, out) -> out.collect(in.keyBy(new FKey()).process(new FInactivity()), "p"));
    Compare.sameLines(eddy, flink, "p");
    assertThat(flink.size()).as("some keys go idle before the end").isGreaterThan(40);
  }

  // ------------------------------------------------------- timers that register and delete timers

  /**
   * A record registers a timer 40 ms after it and one 90 ms after it; a timer re-registers itself
   * 25 ms later up to three times and deletes the key's 90 ms timer on its second round. Timers
   * registered while a watermark fires timers fire in the same round when they are due.
   */
  static final class EChain extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private io.eddy.api.state.ValueState<Long> rounds;

    @Override
    public void open(io.eddy.api.function.RuntimeContext context) {
      rounds = context.keyedState().getState(new io.eddy.api.state.ValueStateDescriptor<>("rounds", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      ctx.timerService().registerEventTimeTimer(e.ts() + 40);
      ctx.timerService().registerEventTimeTimer(e.ts() + 90);
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) throws Exception {
      long r = rounds.value() == null ? 0 : rounds.value();
      rounds.update(r + 1);
      if (r % 4 < 3) {
        ctx.timerService().registerEventTimeTimer(time + 25);
      }
      if (r % 4 == 1) {
        ctx.timerService().deleteEventTimeTimer(time + 50 - 25);
      }
      out.collect(ctx.currentKey() + " t=" + time + " round=" + r + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  static final class FChain extends KeyedProcessFunction<Integer, Ev, String> {
    private transient ValueState<Long> rounds;

    @Override
    public void open(OpenContext context) {
      rounds = getRuntimeContext().getState(new ValueStateDescriptor<>("rounds", Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      ctx.timerService().registerEventTimeTimer(e.ts() + 40);
      ctx.timerService().registerEventTimeTimer(e.ts() + 90);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) throws Exception {
      long r = rounds.value() == null ? 0 : rounds.value();
      rounds.update(r + 1);
      if (r % 4 < 3) {
        ctx.timerService().registerEventTimeTimer(time + 25);
      }
      if (r % 4 == 1) {
        ctx.timerService().deleteEventTimeTimer(time + 50 - 25);
      }
      out.collect(ctx.getCurrentKey() + " t=" + time + " round=" + r + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  @Test
  void timersRegisteredAndDeletedByTimers() throws Exception {
    List<Ev> sparse = Inputs.outOfOrder(61, 600, 30, 20, (int) BOUND, 0.03, 400);
    List<String> eddy = EddyRun.run(P, sparse, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key).process(new EChain()), "p"));
    List<String> flink = FlinkRun.run(P, sparse, BOUND, (in, out) -> out.collect(in.keyBy(new FKey()).process(new FChain()), "p"));
    Compare.sameLines(eddy, flink, "p");
  }

  // ------------------------------------------------------- rolling reduce

  static final class FSum implements org.apache.flink.api.common.functions.ReduceFunction<Ev> {
    public Ev reduce(Ev a, Ev b) {
      return new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()));
    }
  }

  @Test
  void rollingReduce() throws Exception {
    List<String> eddy = EddyRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key)
        .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "r"));
    List<String> flink = FlinkRun.run(P, EVENTS, BOUND, (in, out) -> out.collect(in.keyBy(new FKey()).reduce(new FSum()), "r"));
    Compare.sameLines(eddy, flink, "r");
  }

  // ------------------------------------------------------- the end of a bounded input

  /**
   * Every record registers a processing-time timer an hour ahead and an event-time timer at its
   * timestamp. At the end of the bounded input the final watermark fires every event-time timer;
   * the pending processing-time timers do not fire (Flink quiesces the processing-time service
   * when its input ends, in STREAMING mode).
   */
  static final class EBoth extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) {
      ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 3_600_000);
      ctx.timerService().registerEventTimeTimer(e.ts());
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) {
      boolean eventTime = time < 2_000_000; // event times are near Inputs.BASE, the clock is not
      out.collect((eventTime ? "event" : "processing") + " key=" + ctx.currentKey() + (eventTime ? " t=" + time : ""));
    }
  }

  static final class FBoth extends KeyedProcessFunction<Integer, Ev, String> {
    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 3_600_000);
      ctx.timerService().registerEventTimeTimer(e.ts());
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) {
      boolean eventTime = time < 2_000_000;
      out.collect((eventTime ? "event" : "processing") + " key=" + ctx.getCurrentKey() + (eventTime ? " t=" + time : ""));
    }
  }

  @Test
  void atTheEndOfInputEventTimeTimersFireAndPendingProcessingTimeTimersDoNot() throws Exception {
    List<Ev> few = EVENTS.subList(0, 300);
    List<String> eddy = EddyRun.run(P, few, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key).process(new EBoth()), "p"));
    List<String> flink = FlinkRun.run(P, few, BOUND, (in, out) -> out.collect(in.keyBy(new FKey()).process(new FBoth()), "p"));
    Compare.sameLines(eddy, flink, "p");
    assertThat(flink).noneMatch(l -> l.contains("processing"));
  }

  @Test
  void atTheEndOfInputPendingProcessingTimeWindowsDoNotFire() throws Exception {
    List<Ev> few = EVENTS.subList(0, 300);
    List<String> eddy = EddyRun.run(P, few, BOUND, (in, out) -> {
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.SessionWindows.<Ev>processingTime(Duration.ofHours(1)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "processing");
      out.collect(in.keyBy(Ev::key).window(io.eddy.time.SessionWindows.<Ev>eventTime(Duration.ofMillis(100)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "event");
    });
    List<String> flink = FlinkRun.run(P, few, BOUND, (in, out) -> {
      out.collect(in.keyBy(new FKey()).window(
          org.apache.flink.streaming.api.windowing.assigners.ProcessingTimeSessionWindows.withGap(Duration.ofHours(1)))
          .reduce(new FSum()), "processing");
      out.collect(in.keyBy(new FKey()).window(
          org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows.withGap(Duration.ofMillis(100)))
          .reduce(new FSum()), "event");
    });
    Compare.sameLines(eddy, flink, "event");
    assertThat(flink).noneMatch(l -> l.startsWith("processing "));
  }

  // ------------------------------------------------------- processing-time timers during the run

  /**
   * Record {@code i} registers a processing-time timer at {@code t0 + 1000 + i}; the middle record
   * waits until the first half of them is due, and the records after it give them time to fire. Which ones fire before the input ends depends on the clock in
   * both engines (Flink drops those whose turn had not come when the input ended, even if due), so
   * only invariants are compared: some fire, none twice, none before its time, each one registered,
   * and what they emit has no timestamp.
   */
  static final class EDue extends io.eddy.api.KeyedProcessFunction<Integer, Ev, String> {
    private final long t0;
    private final int n;

    EDue(long t0, int n) {
      this.t0 = t0;
      this.n = n;
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) {
      ctx.timerService().registerProcessingTimeTimer(t0 + 1000 + e.value());
      if (e.value() == n / 2) {
        while (System.currentTimeMillis() <= t0 + 1000 + n / 2 + 20) {
          Thread.onSpinWait();
        }
      }
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, io.eddy.api.function.Collector<String> out) {
      out.collect((ctx.timerService().currentProcessingTime() < time ? "early " : "") + "key=" + ctx.currentKey()
          + " i=" + (time - t0 - 1000));
    }
  }

  static final class FDue extends KeyedProcessFunction<Integer, Ev, String> {
    private final long t0;
    private final int n;

    FDue(long t0, int n) {
      this.t0 = t0;
      this.n = n;
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      ctx.timerService().registerProcessingTimeTimer(t0 + 1000 + e.value());
      if (e.value() == n / 2) {
        while (System.currentTimeMillis() <= t0 + 1000 + n / 2 + 20) {
          Thread.onSpinWait();
        }
      }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<String> out) {
      out.collect((ctx.timerService().currentProcessingTime() < time ? "early " : "") + "key=" + ctx.getCurrentKey()
          + " i=" + (time - t0 - 1000));
    }
  }

  private static void assertDueTimerInvariants(List<String> lines, List<String> registered, String engine) {
    assertThat(lines).as("%s: timers fired", engine).isNotEmpty();
    assertThat(lines).as("%s: no timer twice", engine).doesNotHaveDuplicates();
    assertThat(lines).as("%s: only registered timers, none early", engine).allMatch(registered::contains);
  }

  @Test
  void processingTimeTimersFireOnceAndNeverEarly() throws Exception {
    int n = 200;
    List<Ev> events = new java.util.ArrayList<>();
    List<String> registered = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(new Ev(i % 7, i, Inputs.BASE + i));
      registered.add("p key=" + (i % 7) + " i=" + i);
    }
    long t0 = System.currentTimeMillis();
    List<String> eddy = EddyRun.run(1, events, BOUND, (in, out) -> out.collect(in.keyBy(Ev::key).process(new EDue(t0, n)), "p"));
    long t1 = System.currentTimeMillis();
    List<String> flink = FlinkRun.run(1, events, BOUND, (in, out) -> out.collect(in.keyBy(new FKey()).process(new FDue(t1, n)), "p"));
    // what a processing-time timer emits has no timestamp (Flink erases it)
    assertThat(eddy).as("Eddy").allMatch(l -> l.endsWith("@-"));
    assertThat(flink).as("Flink").allMatch(l -> l.endsWith("@-"));
    eddy.replaceAll(l -> l.replaceAll("@.*", ""));
    flink.replaceAll(l -> l.replaceAll("@.*", ""));
    System.out.println("processing-time timers fired: Eddy " + eddy.size() + ", Flink " + flink.size() + " of " + n);
    assertDueTimerInvariants(eddy, registered, "Eddy");
    assertDueTimerInvariants(flink, registered, "Flink");
  }
}
