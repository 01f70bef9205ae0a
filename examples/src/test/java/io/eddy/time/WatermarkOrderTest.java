package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A watermark that a generator emits from {@code onEvent} follows the record that caused it, as in
 * Flink (the source output forwards the record, then calls the generator): a timer that this
 * watermark fires sees the record in its key's state, and the record may still delete it.
 */
@Timeout(120)
class WatermarkOrderTest {

  /**
   * Runs one source and watermark subtask (watermark = highest timestamp - 1, emitted from onEvent)
   * into a keyed process function at parallelism {@code p}.
   */
  private static <O> List<O> run(int p, List<Ev> events,
      java.util.function.Supplier<KeyedProcessFunction<Integer, Ev, O>> function) throws Exception {
    CollectSink<O> sink = new CollectSink<>();
    JobResult r = TimeTestSupport.run(config(p, ""), (pipeline, params) -> pipeline
        .source("src", CollectionSource.withTimestamps(events, Ev::ts)).parallelism(1)
        .assignTimestampsAndWatermarks(perEventWatermarks(0)).name("wm").parallelism(1)
        .keyBy(Ev::key)
        .process(function.get()).name("p") // one instance per subtask
        .sink(sink).name("sink"));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    return sink.values();
  }

  /** Counts a key's records; each record registers a timer 50 ms after it, which emits the count. */
  static final class CountAtTimer extends KeyedProcessFunction<Integer, Ev, List<Long>> {
    private ValueState<Long> count;

    @Override
    public void open(RuntimeContext context) {
      count = context.keyedState().getState(new ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, Collector<List<Long>> out) throws Exception {
      Long c = count.value();
      count.update(c == null ? 1 : c + 1);
      ctx.timerService().registerEventTimeTimer(e.ts() + 50);
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, Collector<List<Long>> out) throws Exception {
      out.collect(List.of((long) ctx.currentKey(), time, count.value()));
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void aTimerFiredByARecordsWatermarkSeesThatRecord(int p) throws Exception {
    // the record at 152 brings the watermark to 151, which fires the timer at 150: by then the
    // record at 152 has been counted (key 1: 2); key 2's record at 400 fires key 2's timer at 190
    // and key 1's at 202 and 210 after it has been counted (key 2: 2)
    List<Ev> events = List.of(new Ev(1, 0, 100), new Ev(1, 0, 152), new Ev(2, 0, 140), new Ev(1, 0, 160),
        new Ev(2, 0, 400));
    assertThat(run(p, events, CountAtTimer::new)).containsExactlyInAnyOrder(
        List.of(1L, 150L, 2L), List.of(2L, 190L, 2L), List.of(1L, 202L, 3L), List.of(1L, 210L, 3L),
        List.of(2L, 450L, 2L));
  }

  /** Each record replaces its key's pending timer with one 300 ms after it: fires on inactivity. */
  static final class Inactivity extends KeyedProcessFunction<Integer, Ev, List<Long>> {
    private ValueState<Long> pending;

    @Override
    public void open(RuntimeContext context) {
      pending = context.keyedState().getState(new ValueStateDescriptor<>("pending", Long.class));
    }

    @Override
    public void processElement(Ev e, Context<Integer> ctx, Collector<List<Long>> out) throws Exception {
      Long t = pending.value();
      if (t != null) {
        ctx.timerService().deleteEventTimeTimer(t);
      }
      long next = e.ts() + 300;
      ctx.timerService().registerEventTimeTimer(next);
      pending.update(next);
    }

    @Override
    public void onTimer(long time, Context<Integer> ctx, Collector<List<Long>> out) throws Exception {
      pending.clear();
      out.collect(List.of((long) ctx.currentKey(), time));
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void theRecordThatMovesTheWatermarkPastATimerCanStillDeleteIt(int p) throws Exception {
    // key 1's record at 402 brings the watermark to 401, past its pending timer at 400, but deletes
    // it first; its record at 610 replaces the timer at 702 by one at 910, which fires at the end
    // of input; key 2's timer at 500 fires on the watermark 609 of key 1's record at 610
    List<Ev> events = List.of(new Ev(1, 0, 100), new Ev(2, 0, 200), new Ev(1, 0, 402), new Ev(1, 0, 610));
    assertThat(run(p, events, Inactivity::new)).containsExactlyInAnyOrder(
        List.of(1L, 910L), List.of(2L, 500L));
  }
}
