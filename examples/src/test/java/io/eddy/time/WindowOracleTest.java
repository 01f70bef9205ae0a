package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.Pipeline;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every window type against an oracle computed here with a plain loop, on bounded out-of-order
 * input (each record at most {@link #BOUND} ms behind the highest before it, and the watermark
 * strategy allows exactly that, so nothing is late), at parallelism 1, 2 and 4.
 */
@Timeout(120)
class WindowOracleTest {
  static final int BOUND = 40;
  static final List<Ev> EVENTS = boundedOutOfOrder(42, 4000, 7, 2, BOUND);
  static final long SIZE = 100;
  static final Comparator<Ev> ORDER =
      Comparator.comparingLong(Ev::ts).thenComparingLong(Ev::value).thenComparingInt(Ev::key);

  /** Result of a full-window process function: key, window, the elements sorted. */
  record Elements(int key, long start, long end, List<Ev> elements) {}

  /** A global window's firing: key and its elements in the order the function got them. */
  record Fired(int key, List<Ev> elements) {}

  /** Runs source -> watermarks -> {@code body} at parallelism {@code p}; asserts it finished. */
  static JobResult runJob(int p, String extra, List<Ev> events, Consumer<DataStream<Ev>> body) throws Exception {
    JobResult r = run(config(p, extra), (Pipeline pipeline, io.eddy.config.JobParams params) -> {
      DataStream<Ev> in = pipeline.source("src", CollectionSource.withTimestamps(events, Ev::ts))
          // one more than the data's disorder: a record is never exactly one past the watermark, so
          // no session closes before a record that touches it arrives (the session oracle's premise)
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(BOUND + 1)))
          .name("wm");
      body.accept(in);
    });
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("w.lateRecordsDropped")).as("late records").isZero();
    return r;
  }

  static Map<WinKey, List<Long>> tumblingOracle(List<Ev> events, long size) {
    Map<WinKey, long[]> m = new HashMap<>();
    for (Ev e : events) {
      long start = Math.floorDiv(e.ts(), size) * size;
      long[] acc = m.computeIfAbsent(new WinKey(e.key(), start, start + size), k -> new long[2]);
      acc[0] += e.value();
      acc[1]++;
    }
    return asLists(m);
  }

  static Map<WinKey, List<Long>> slidingOracle(List<Ev> events, long size, long slide) {
    Map<WinKey, long[]> m = new HashMap<>();
    for (Ev e : events) {
      for (long s = Math.floorDiv(e.ts() - size, slide) * slide; s <= e.ts(); s += slide) {
        if (e.ts() >= s && e.ts() < s + size) {
          long[] acc = m.computeIfAbsent(new WinKey(e.key(), s, s + size), k -> new long[2]);
          acc[0] += e.value();
          acc[1]++;
        }
      }
    }
    return asLists(m);
  }

  /** Results identified by the output timestamp, which is the window's last millisecond. */
  static Map<WinKey, List<Long>> fromTimestamps(Queue<Got<KeyedSum>> got, long size) {
    List<Agg> aggs = new ArrayList<>();
    for (Got<KeyedSum> g : got) {
      aggs.add(new Agg(g.value().key(), g.timestamp() + 1 - size, g.timestamp() + 1, g.value().sum(), g.value().count()));
    }
    return byWindow(aggs);
  }

  static void assertTimestampsAreWindowEnds(Queue<Got<Agg>> got) {
    for (Got<Agg> g : got) {
      assertThat(g.timestamp()).as("timestamp of %s", g.value()).isEqualTo(g.value().end() - 1);
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void tumblingAggregate(int p) throws Exception {
    CollectSink<KeyedSum> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .aggregate(new KeyedSumCount()).name("w")
        .sink(sink));
    assertThat(fromTimestamps(sink.received, SIZE)).isEqualTo(tumblingOracle(EVENTS, SIZE));
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void tumblingAggregateWithWindowFunction(int p) throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink));
    assertThat(byWindow(sink.values())).isEqualTo(tumblingOracle(EVENTS, SIZE));
    assertTimestampsAreWindowEnds(sink.received);
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void tumblingReduceMax(int p) throws Exception {
    CollectSink<Ev> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .reduce((a, b) -> b.value() > a.value() ? b : a).name("w")
        .sink(sink));
    Map<WinKey, Long> oracle = new HashMap<>();
    for (Ev e : EVENTS) {
      long start = Math.floorDiv(e.ts(), SIZE) * SIZE;
      oracle.merge(new WinKey(e.key(), start, start + SIZE), e.value(), Math::max);
    }
    Map<WinKey, Long> got = new HashMap<>();
    for (Got<Ev> g : sink.received) {
      WinKey k = new WinKey(g.value().key(), g.timestamp() + 1 - SIZE, g.timestamp() + 1);
      assertThat(got.put(k, g.value().value())).as("emitted twice: %s", k).isNull();
      assertThat(g.value().ts()).as("the max record lies in its window").isBetween(k.start(), k.end() - 1);
    }
    assertThat(got).isEqualTo(oracle);
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void sliding(int p) throws Exception {
    long slide = 40;
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(SlidingWindows.<Ev>eventTime(Duration.ofMillis(3 * slide), Duration.ofMillis(slide)))
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink));
    assertThat(byWindow(sink.values())).isEqualTo(slidingOracle(EVENTS, 3 * slide, slide));
    assertTimestampsAreWindowEnds(sink.received);
  }

  /** Sliding windows through the general operator (an explicit trigger) agree with the aligned one. */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void slidingWithExplicitEventTimeTrigger(int p) throws Exception {
    long slide = 40;
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(SlidingWindows.<Ev>eventTime(Duration.ofMillis(3 * slide), Duration.ofMillis(slide)))
        .trigger(Triggers.eventTime())
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink));
    assertThat(byWindow(sink.values())).isEqualTo(slidingOracle(EVENTS, 3 * slide, slide));
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void session(int p) throws Exception {
    long gap = 25;
    Map<WinKey, long[]> oracle = sessionOracle(EVENTS, gap);
    // the data has sessions of one record and of many, and records exactly the gap apart (which
    // share a session: touching windows merge)
    assertThat(oracle.values().stream().mapToLong(v -> v[1]).min().getAsLong()).isEqualTo(1);
    assertThat(oracle.values().stream().mapToLong(v -> v[1]).max().getAsLong()).isGreaterThan(20);
    Map<Integer, java.util.TreeSet<Long>> times = new HashMap<>();
    EVENTS.forEach(e -> times.computeIfAbsent(e.key(), k -> new java.util.TreeSet<>()).add(e.ts()));
    assertThat(times.values()).anySatisfy(ts -> assertThat(ts)
        .anySatisfy(t -> assertThat(ts.higher(t)).isEqualTo(t + gap)));
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(SessionWindows.<Ev>eventTime(Duration.ofMillis(gap)))
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink));
    assertThat(byWindow(sink.values())).isEqualTo(asLists(oracle));
    assertTimestampsAreWindowEnds(sink.received);
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void processGetsAllElements(int p) throws Exception {
    CollectSink<Elements> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .process(new ProcessWindowFunction<Ev, Elements, Integer, TimeWindow>() {
          @Override
          public void process(Integer key, Context<TimeWindow> ctx, Iterable<Ev> elements, Collector<Elements> out) {
            List<Ev> l = new ArrayList<>();
            elements.forEach(l::add);
            l.sort(ORDER);
            out.collect(new Elements(key, ctx.window().start(), ctx.window().end(), l));
          }
        }).name("w")
        .sink(sink));
    Map<WinKey, List<Ev>> oracle = new HashMap<>();
    for (Ev e : EVENTS) {
      long start = Math.floorDiv(e.ts(), SIZE) * SIZE;
      oracle.computeIfAbsent(new WinKey(e.key(), start, start + SIZE), k -> new ArrayList<>()).add(e);
    }
    oracle.values().forEach(l -> l.sort(ORDER));
    Map<WinKey, List<Ev>> got = new HashMap<>();
    for (Elements e : sink.values()) {
      assertThat(got.put(new WinKey(e.key(), e.start(), e.end()), e.elements())).isNull();
    }
    assertThat(got).isEqualTo(oracle);
  }

  /**
   * Global windows with a count trigger: a key with m records fires m / n times (rounded down; the
   * rest never fires). Not purging, firing k holds the key's first k * n records; purging, each
   * firing holds the next n. At parallelism 1 the arrival order per key is the list order, so the
   * contents are exact; at higher parallelism the records of a key come from several source
   * subtasks and only the sizes, nesting and disjointness are determined.
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void globalWindowsWithCountTrigger(int p) throws Exception {
    int n = 7;
    CollectSink<Fired> plain = new CollectSink<>();
    CollectSink<Fired> purging = new CollectSink<>();
    runJob(p, "", EVENTS, in -> {
      in.keyBy(Ev::key).window(GlobalWindows.<Ev>create()).trigger(Triggers.count(n))
          .process(new CollectFired()).name("w")
          .sink(plain);
      in.keyBy(Ev::key).window(GlobalWindows.<Ev>create()).trigger(Triggers.purging(Triggers.count(n)))
          .process(new CollectFired()).name("wp")
          .sink(purging);
    });
    Map<Integer, List<Ev>> byKey = new HashMap<>();
    for (Ev e : EVENTS) {
      byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
    }
    Map<Integer, List<List<Ev>>> plainByKey = firingsByKey(plain);
    Map<Integer, List<List<Ev>>> purgingByKey = firingsByKey(purging);
    assertThat(plainByKey.keySet()).isEqualTo(byKey.keySet());
    assertThat(purgingByKey.keySet()).isEqualTo(byKey.keySet());
    for (var entry : byKey.entrySet()) {
      List<Ev> records = entry.getValue();
      int firings = records.size() / n;
      List<List<Ev>> pf = plainByKey.get(entry.getKey());
      List<List<Ev>> uf = purgingByKey.get(entry.getKey());
      assertThat(pf).hasSize(firings);
      assertThat(uf).hasSize(firings);
      List<Ev> union = new ArrayList<>();
      for (int k = 0; k < firings; k++) {
        assertThat(pf.get(k)).hasSize((k + 1) * n);
        if (k > 0) {
          assertThat(pf.get(k).subList(0, k * n)).isEqualTo(pf.get(k - 1));
        }
        assertThat(uf.get(k)).hasSize(n);
        union.addAll(uf.get(k));
        if (p == 1) {
          assertThat(pf.get(k)).isEqualTo(records.subList(0, (k + 1) * n));
          assertThat(uf.get(k)).isEqualTo(records.subList(k * n, (k + 1) * n));
        }
      }
      assertThat(union).doesNotHaveDuplicates();
      assertThat(records).containsAll(union);
      assertThat(records).containsAll(pf.get(firings - 1));
      assertThat(pf.get(firings - 1)).doesNotHaveDuplicates();
    }
  }

  static final class CollectFired extends ProcessWindowFunction<Ev, Fired, Integer, GlobalWindow> {
    @Override
    public void process(Integer key, Context<GlobalWindow> ctx, Iterable<Ev> elements, Collector<Fired> out) {
      List<Ev> l = new ArrayList<>();
      elements.forEach(l::add);
      out.collect(new Fired(key, l));
    }
  }

  /** Firings per key in the order they arrived (window and sink are chained, so in firing order). */
  static Map<Integer, List<List<Ev>>> firingsByKey(CollectSink<Fired> sink) {
    Map<Integer, List<List<Ev>>> m = new HashMap<>();
    for (Fired f : sink.values()) {
      m.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f.elements());
    }
    return m;
  }

  /** windowAll runs its windows in one subtask, whatever the job's parallelism. */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void windowAll(int p) throws Exception {
    Queue<Integer> windowParallelism = new ConcurrentLinkedQueue<>();
    CollectSink<Agg> sink = new CollectSink<>();
    runJob(p, "", EVENTS, in -> in
        .windowAll(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .process(new ProcessWindowFunction<Ev, Agg, Integer, TimeWindow>() {
          @Override
          public void open(RuntimeContext context) {
            windowParallelism.add(context.parallelism());
          }

          @Override
          public void process(Integer key, Context<TimeWindow> ctx, Iterable<Ev> elements, Collector<Agg> out) {
            long sum = 0;
            long count = 0;
            for (Ev e : elements) {
              sum += e.value();
              count++;
            }
            out.collect(new Agg(-1, ctx.window().start(), ctx.window().end(), sum, count));
          }
        }).name("w")
        .sink(sink));
    assertThat(windowParallelism).containsOnly(1);
    List<Ev> allOneKey = new ArrayList<>();
    EVENTS.forEach(e -> allOneKey.add(new Ev(-1, e.value(), e.ts())));
    assertThat(byWindow(sink.values())).isEqualTo(tumblingOracle(allOneKey, SIZE));
    assertTimestampsAreWindowEnds(sink.received);
  }

  /**
   * Processing-time windows: boundaries depend on the clock, so only check that every record is
   * counted in exactly one firing (per key: counts and sums add up) and that outputs carry their
   * window's last millisecond as timestamp (a multiple of the size, minus one). Windows still open
   * when the input ends do not fire (as in Flink), so the source holds its input open until every
   * record was counted.
   */
  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void processingTimeTumbling(int p) throws Exception {
    long size = 3;
    CollectSink<KeyedSum> sink = new CollectSink<>();
    java.util.function.BooleanSupplier allCounted =
        () -> sink.values().stream().mapToLong(KeyedSum::count).sum() == EVENTS.size();
    JobResult r = run(config(p, ""), (pipeline, params) -> pipeline
        .source("src", new TimersTest.HoldingSource<>(EVENTS, allCounted))
        .keyBy(Ev::key)
        .window(TumblingWindows.<Ev>processingTime(Duration.ofMillis(size)))
        .aggregate(new KeyedSumCount()).name("w")
        .sink(sink));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    Map<Integer, List<Long>> oracle = new HashMap<>();
    for (Ev e : EVENTS) {
      oracle.merge(e.key(), List.of(e.value(), 1L), (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
    }
    Map<Integer, List<Long>> got = new HashMap<>();
    for (Got<KeyedSum> g : sink.received) {
      assertThat(Math.floorMod(g.timestamp() + 1, size)).isZero();
      got.merge(g.value().key(), List.of(g.value().sum(), g.value().count()),
          (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
    }
    assertThat(got).isEqualTo(oracle);
  }
}
