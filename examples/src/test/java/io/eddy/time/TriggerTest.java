package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.function.Collector;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Early firings and purging triggers, against oracles. */
@Timeout(120)
class TriggerTest {
  static final int BOUND = 40;
  static final long SIZE = 200;
  static final List<Ev> EVENTS = boundedOutOfOrder(7, 3000, 5, 2, BOUND);

  /** A window's firing: key, window and the elements it saw, in arrival order. */
  record Firing(int key, long start, long end, List<Ev> elements) {}

  static void runJob(int p, Consumer<DataStream<Ev>> body) throws Exception {
    JobResult r = run(config(p, ""), (pipeline, params) -> body.accept(
        pipeline.source("src", CollectionSource.withTimestamps(EVENTS, Ev::ts))
            .assignTimestampsAndWatermarks(perEventWatermarks(BOUND)).name("wm")));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
  }

  /**
   * continuousEventTime(interval) fires every interval of event time while a window is open and
   * at its end: per (key, window) the counts only grow, never exceed the window's total, and the
   * last firing is the window's full result. Some firings are early (partial).
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void continuousEventTimeFiresGrowingPartialResults(int p) throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .trigger(Triggers.continuousEventTime(Duration.ofMillis(SIZE / 4)))
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink));
    Map<WinKey, List<Long>> oracle = WindowOracleTest.tumblingOracle(EVENTS, SIZE);
    // window and sink are chained, so each key's firings arrive in the order they happened
    Map<WinKey, List<Agg>> firings = new LinkedHashMap<>();
    for (Agg a : sink.values()) {
      firings.computeIfAbsent(new WinKey(a.key(), a.start(), a.end()), k -> new ArrayList<>()).add(a);
    }
    assertThat(firings.keySet()).containsExactlyInAnyOrderElementsOf(oracle.keySet());
    int partial = 0;
    for (var e : firings.entrySet()) {
      List<Agg> l = e.getValue();
      long total = oracle.get(e.getKey()).get(1);
      for (int i = 1; i < l.size(); i++) {
        assertThat(l.get(i).count()).as("%s firing %d", e.getKey(), i).isGreaterThanOrEqualTo(l.get(i - 1).count());
      }
      for (Agg a : l) {
        assertThat(a.count()).isLessThanOrEqualTo(total);
        if (a.count() < total) {
          partial++;
        }
      }
      Agg last = l.get(l.size() - 1);
      assertThat(List.of(last.sum(), last.count())).as("final firing of %s", e.getKey()).isEqualTo(oracle.get(e.getKey()));
    }
    assertThat(partial).as("early firings with partial results").isPositive();
  }

  /**
   * continuousEventTime fires at the multiples of its interval and at the window's end, as Flink's
   * ContinuousEventTimeTrigger: the first firing at the first multiple after the window's first
   * record, each later one an interval after the previous, capped at the window's last millisecond,
   * and once per multiple when the watermark jumps over several. Window [0, 2000), interval 500,
   * watermark = highest timestamp - 1 after every record (one watermark subtask).
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void continuousEventTimeFiresAtMultiplesOfTheIntervalCappedAtTheWindowsEnd(int p) throws Exception {
    List<Ev> events = List.of(new Ev(1, 1, 1234), new Ev(1, 1, 1600), new Ev(1, 1, 1700), new Ev(1, 1, 2600));
    CollectSink<List<Long>> sink = new CollectSink<>();
    JobResult r = run(config(p, ""), (pipeline, params) -> pipeline
        .source("src", CollectionSource.withTimestamps(events, Ev::ts)).parallelism(1)
        .assignTimestampsAndWatermarks(perEventWatermarks(0)).name("wm").parallelism(1)
        .keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(2000)))
        .trigger(Triggers.continuousEventTime(Duration.ofMillis(500)))
        .aggregate(new SumCount(), new ProcessWindowFunction<long[], List<Long>, Integer, TimeWindow>() {
          @Override
          public void process(Integer key, Context<TimeWindow> ctx, Iterable<long[]> results, Collector<List<Long>> out) {
            long[] r = results.iterator().next();
            out.collect(List.of(ctx.window().start(), r[1], ctx.currentWatermark()));
          }
        }).name("w")
        .sink(sink));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    // [window start, count, watermark at the firing]: the record at 1234 sets the first firing at
    // 1500, which fires on the watermark 1599 (after the record at 1600 was added); the next one,
    // 2000, is capped at 1999 and fires on 2599. The record at 2600 sets 3000 for [2000, 4000),
    // which fires at 3000, 3500 and its end 3999 on the final watermark
    assertThat(sink.values()).containsExactly(
        List.of(0L, 2L, 1599L), List.of(0L, 3L, 2599L),
        List.of(2000L, 1L, Long.MAX_VALUE), List.of(2000L, 1L, Long.MAX_VALUE), List.of(2000L, 1L, Long.MAX_VALUE));
  }

  /**
   * continuousEventTime on global windows (a window that never ends): early firings as event time
   * passes, and the end of input fires the pending interval and the final result once; the job
   * must finish (a documented difference from Flink, which would fire once per interval up to the
   * end of time).
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void continuousEventTimeOnGlobalWindowsEndsWithTheFullResult(int p) throws Exception {
    // a runaway trigger fails the job instead of hanging it
    CollectSink<KeyedSum> sink = new CollectSink<>(100_000);
    runJob(p, in -> in.keyBy(Ev::key)
        .window(GlobalWindows.<Ev>create())
        .trigger(Triggers.continuousEventTime(Duration.ofMillis(SIZE)))
        .aggregate(new KeyedSumCount()).name("w")
        .sink(sink));
    Map<Integer, List<Long>> oracle = new HashMap<>();
    for (Ev e : EVENTS) {
      oracle.merge(e.key(), List.of(e.value(), 1L), (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
    }
    Map<Integer, List<KeyedSum>> firings = new HashMap<>();
    for (KeyedSum s : sink.values()) {
      firings.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s);
    }
    assertThat(firings.keySet()).isEqualTo(oracle.keySet());
    for (var e : firings.entrySet()) {
      List<KeyedSum> l = e.getValue();
      assertThat(l.size()).as("firings of key %d", e.getKey()).isGreaterThan(1);
      for (int i = 1; i < l.size(); i++) {
        assertThat(l.get(i).count()).isGreaterThanOrEqualTo(l.get(i - 1).count());
      }
      KeyedSum last = l.get(l.size() - 1);
      assertThat(List.of(last.sum(), last.count())).isEqualTo(oracle.get(e.getKey()));
      // event time spans about EVENTS.size() * 2 ms: no more firings than intervals, plus the final one
      assertThat(l.size()).isLessThanOrEqualTo((int) (EVENTS.size() * 2 / SIZE) + 3);
    }
  }

  /**
   * purging(count(3)) on event-time tumbling windows: every firing holds exactly three records of
   * its window, no record is in two firings, and a (key, window) with m records fires m / 3 times
   * (the remainder is dropped with the window). At parallelism 1 each key's records arrive in list
   * order, so the firings are exactly consecutive triples.
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void purgingCountEmitsEachRecordOnce(int p) throws Exception {
    CollectSink<Firing> sink = new CollectSink<>();
    runJob(p, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .trigger(Triggers.purging(Triggers.count(3)))
        .process(new ProcessWindowFunction<Ev, Firing, Integer, TimeWindow>() {
          @Override
          public void process(Integer key, Context<TimeWindow> ctx, Iterable<Ev> elements, Collector<Firing> out) {
            List<Ev> l = new ArrayList<>();
            elements.forEach(l::add);
            out.collect(new Firing(key, ctx.window().start(), ctx.window().end(), l));
          }
        }).name("w")
        .sink(sink));
    Map<WinKey, List<Ev>> byWindow = new HashMap<>();
    for (Ev e : EVENTS) {
      long start = Math.floorDiv(e.ts(), SIZE) * SIZE;
      byWindow.computeIfAbsent(new WinKey(e.key(), start, start + SIZE), k -> new ArrayList<>()).add(e);
    }
    Map<WinKey, List<List<Ev>>> got = new HashMap<>();
    for (Firing f : sink.values()) {
      got.computeIfAbsent(new WinKey(f.key(), f.start(), f.end()), k -> new ArrayList<>()).add(f.elements());
    }
    int expectedFirings = 0;
    for (var e : byWindow.entrySet()) {
      List<Ev> records = e.getValue();
      int n = records.size() / 3;
      expectedFirings += n;
      List<List<Ev>> firings = got.getOrDefault(e.getKey(), List.of());
      assertThat(firings).as("firings of %s", e.getKey()).hasSize(n);
      List<Ev> union = new ArrayList<>();
      for (int i = 0; i < firings.size(); i++) {
        assertThat(firings.get(i)).hasSize(3);
        union.addAll(firings.get(i));
        if (p == 1) {
          assertThat(firings.get(i)).isEqualTo(records.subList(3 * i, 3 * i + 3));
        }
      }
      assertThat(union).doesNotHaveDuplicates();
      assertThat(records).containsAll(union);
    }
    assertThat(got.keySet()).isSubsetOf(byWindow.keySet());
    assertThat(sink.received).hasSize(expectedFirings);
  }
}
