package io.eddy.time;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.StreamJob;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/** Shared pieces of the event-time tests: running a job in-JVM, a collecting sink, test events. */
final class TimeTestSupport {
  private TimeTestSupport() {}

  /** A test event: a key, a value and an event time (ms). */
  record Ev(int key, long value, long ts) {}

  /** One window's aggregate: key, window bounds, sum and count of values. */
  record Agg(int key, long start, long end, long sum, long count) {}

  /** An aggregate without window bounds (the window is read from the output's timestamp). */
  record KeyedSum(int key, long sum, long count) {}

  /** What a sink received: the record, its timestamp, when (nanoTime) and on which subtask. */
  record Got<T>(T value, long timestamp, long nanos, int subtask) {}

  /** A job config for a test job. */
  static String config(int parallelism, String extra) {
    return "{\"job\":\"io.eddy.time.TestJob\",\"parallelism\":" + parallelism
        + ",\"watermarkIntervalMillis\":5,\"badRecords\":\"skip\""
        + (extra == null || extra.isEmpty() ? "" : "," + extra) + "}";
  }

  /** Runs a job on a fresh Vert.x instance, waiting at most 60 s, and closes the instance. */
  static JobResult run(String json, StreamJob job) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JobConfig cfg = JobConfig.parse(json, "test");
      return new JobCoordinator(vertx, new JobDefinition(cfg, job)).run()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** A sink that adds everything every subtask receives to one shared queue. */
  static final class CollectSink<T> implements Sink<T> {
    final Queue<Got<T>> received = new ConcurrentLinkedQueue<>();
    private final int limit;
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

    CollectSink() {
      this(Integer.MAX_VALUE);
    }

    /** A sink that fails the job once it has received more than {@code limit} records (runaway output). */
    CollectSink(int limit) {
      this.limit = limit;
    }

    @Override
    public SinkWriter<T> createWriter(SinkContext context) {
      int subtask = context.subtaskIndex();
      return new SinkWriter<>() {
        @Override
        public void write(T record, long timestamp) {
          if (count.incrementAndGet() > limit) {
            throw new IllegalStateException("more than " + limit + " outputs");
          }
          received.add(new Got<>(record, timestamp, System.nanoTime(), subtask));
        }

        @Override
        public Future<Void> finish() {
          return Future.succeededFuture();
        }
      };
    }

    List<T> values() {
      List<T> out = new ArrayList<>();
      received.forEach(g -> out.add(g.value()));
      return out;
    }
  }

  /**
   * {@code n} events over {@code keys} keys whose timestamps grow by {@code step} per event minus a
   * jitter of up to {@code bound} ms, so each is at most {@code bound} ms behind the highest before it.
   */
  static List<Ev> boundedOutOfOrder(long seed, int n, int keys, long step, int bound) {
    Random rnd = new Random(seed);
    List<Ev> out = new ArrayList<>(n);
    long base = 1_000_000L;
    for (int i = 0; i < n; i++) {
      long ts = base + i * step - rnd.nextInt(bound + 1);
      out.add(new Ev(rnd.nextInt(keys), rnd.nextInt(1000) - 200, ts));
    }
    return out;
  }

  /** Sum and count of values: accumulator {sum, count}. */
  static final class SumCount implements AggregateFunction<Ev, long[], long[]> {
    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(Ev e, long[] acc) {
      acc[0] += e.value();
      acc[1]++;
      return acc;
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** Sum and count with the key in the result: accumulator {key, sum, count}. */
  static final class KeyedSumCount implements AggregateFunction<Ev, long[], KeyedSum> {
    @Override
    public long[] createAccumulator() {
      return new long[3];
    }

    @Override
    public long[] add(Ev e, long[] acc) {
      acc[0] = e.key();
      acc[1] += e.value();
      acc[2]++;
      return acc;
    }

    @Override
    public KeyedSum getResult(long[] acc) {
      return new KeyedSum((int) acc[0], acc[1], acc[2]);
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[2] > 0 ? a[0] : b[0], a[1] + b[1], a[2] + b[2]};
    }
  }

  /** Turns a {sum, count} result into an {@link Agg} with the key and the window's bounds. */
  static final class ToAgg extends ProcessWindowFunction<long[], Agg, Integer, TimeWindow> {
    @Override
    public void process(Integer key, Context<TimeWindow> ctx, Iterable<long[]> results,
        io.eddy.api.function.Collector<Agg> out) {
      for (long[] r : results) {
        out.collect(new Agg(key, ctx.window().start(), ctx.window().end(), r[0], r[1]));
      }
    }
  }

  /**
   * A watermark strategy whose generator emits after every event (the highest timestamp seen minus
   * {@code bound} minus 1, as bounded out-of-orderness does), so the watermark a record meets
   * downstream depends only on the records before it, not on timers or batching.
   */
  static WatermarkStrategy<Ev> perEventWatermarks(long bound) {
    return WatermarkStrategy.forGenerator(() -> new WatermarkGenerator<Ev>() {
      private long max = Long.MIN_VALUE;

      @Override
      public void onEvent(Ev record, long timestamp, WatermarkOutput output) {
        max = Math.max(max, timestamp);
        output.emitWatermark(max - bound - 1);
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        if (max != Long.MIN_VALUE) {
          output.emitWatermark(max - bound - 1);
        }
      }
    });
  }

  /**
   * The sessions of each key, computed with a plain loop: sort the key's timestamps and start a new
   * session wherever the distance to the previous record is {@code > gap}. So records at most
   * {@code gap} apart share a session (windows that touch merge, as in Flink and as
   * {@link SessionWindows} documents), and a session is {@code [first, last + gap)}. Valid when no
   * session fires before a record that would have joined it arrives.
   */
  static java.util.Map<WinKey, long[]> sessionOracle(List<Ev> events, long gap) {
    java.util.Map<Integer, List<Ev>> byKey = new java.util.HashMap<>();
    for (Ev e : events) {
      byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
    }
    java.util.Map<WinKey, long[]> out = new java.util.HashMap<>();
    for (var entry : byKey.entrySet()) {
      List<Ev> l = new ArrayList<>(entry.getValue());
      l.sort(java.util.Comparator.comparingLong(Ev::ts));
      int i = 0;
      while (i < l.size()) {
        long first = l.get(i).ts();
        long last = first;
        long sum = 0;
        long count = 0;
        int j = i;
        while (j < l.size() && (j == i || l.get(j).ts() - last <= gap)) {
          last = l.get(j).ts();
          sum += l.get(j).value();
          count++;
          j++;
        }
        out.put(new WinKey(entry.getKey(), first, last + gap), new long[] {sum, count});
        i = j;
      }
    }
    return out;
  }

  /** Window results as a map, failing on a (key, window) emitted twice. */
  static java.util.Map<WinKey, List<Long>> byWindow(java.util.Collection<Agg> results) {
    java.util.Map<WinKey, List<Long>> out = new java.util.HashMap<>();
    for (Agg a : results) {
      List<Long> before = out.put(new WinKey(a.key(), a.start(), a.end()), List.of(a.sum(), a.count()));
      if (before != null) {
        throw new AssertionError("window emitted twice: " + a);
      }
    }
    return out;
  }

  static java.util.Map<WinKey, List<Long>> asLists(java.util.Map<WinKey, long[]> m) {
    java.util.Map<WinKey, List<Long>> out = new java.util.HashMap<>();
    m.forEach((k, v) -> out.put(k, List.of(v[0], v[1])));
    return out;
  }

  /** The key of a window result. */
  record WinKey(int key, long start, long end) {}
}
