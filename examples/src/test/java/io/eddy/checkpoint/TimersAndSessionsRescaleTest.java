package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.bench.Q5Window;
import io.eddy.testing.Checkpointing;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.SessionWindows;
import io.eddy.time.TimeWindow;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timers and general (session) windows on the RocksDB backend survive a failure and a restore at
 * another parallelism: a job with a session window and a keyed process function with event-time
 * timers (registered, deleted, registered again) and never-due processing-time timers runs at one
 * parallelism with checkpoints, fails once mid-run (no restart), and is restored from its latest
 * checkpoint at another parallelism. The committed output of both runs together is a plain loop's
 * output, line for line, which it is not if a timer or a window is lost, duplicated, or left in a
 * key group the new subtask does not own.
 */
@Timeout(180)
class TimersAndSessionsRescaleTest {
  static final long EVENTS = 60_000;
  static final long RATE = 5_000; // 12 s: room for the checkpoint the failure waits for
  static final int KEYS = 2_000; // about one bid per key every 200 ms of event time
  static final long GAP = 150;
  static final long BUCKET = 500;
  static final int FLUSH_EVERY = 3;

  @TempDir Path dir;

  /**
   * Counts each key's bids per bucket of event time in map state, with an event-time timer at the
   * bucket's end. Every {@value #FLUSH_EVERY}th bid of a bucket deletes that timer and emits
   * {@code flush}; the next bid registers it again; the timer emits {@code end} with what is left.
   * Whatever the order bids arrive in, a bucket of n bids gives n / 3 flushes and, if n % 3 > 0, one
   * end line. A processing-time timer an hour ahead is registered and half of them deleted: none
   * may fire (a bounded input ends with pending processing-time timers unfired, as in Flink).
   */
  static final class BucketTimers extends KeyedProcessFunction<Integer, Bid, String> {
    private MapState<Long, Long> counts;

    @Override
    public void open(RuntimeContext context) {
      counts = context.keyedState().getMapState(new MapStateDescriptor<>("counts", Long.class, Long.class));
    }

    @Override
    public void processElement(Bid bid, Context<Integer> ctx, Collector<String> out) throws Exception {
      long end = bucketEnd(bid.ts());
      Long c = counts.get(end);
      long n = c == null ? 1 : c + 1;
      if (n == 1) {
        ctx.timerService().registerEventTimeTimer(end);
      }
      if (n == FLUSH_EVERY) {
        ctx.timerService().deleteEventTimeTimer(end);
        counts.remove(end);
        out.collect("flush " + ctx.currentKey() + " " + end);
      } else {
        counts.put(end, n);
      }
      long later = System.currentTimeMillis() + 3_600_000;
      ctx.timerService().registerProcessingTimeTimer(later);
      if (bid.bidder() % 2 == 0) {
        ctx.timerService().deleteProcessingTimeTimer(later);
      }
    }

    @Override
    public void onTimer(long timestamp, Context<Integer> ctx, Collector<String> out) throws Exception {
      Long c = counts.get(timestamp);
      out.collect(timestamp < BidGenerator.BASE_TIME + 3_600_000
          ? "end " + ctx.currentKey() + " " + timestamp + " " + c
          : "processing-time timer fired " + ctx.currentKey());
      counts.remove(timestamp);
    }
  }

  static long bucketEnd(long ts) {
    return ts - Math.floorMod(ts, BUCKET) + BUCKET;
  }

  /** A session's key, bounds, count and highest price. */
  static final class SessionLine extends ProcessWindowFunction<long[], String, Integer, TimeWindow> {
    @Override
    public void process(Integer key, Context<TimeWindow> ctx, Iterable<long[]> results, Collector<String> out) {
      long[] acc = results.iterator().next();
      out.collect("session " + key + " " + ctx.window().start() + " " + ctx.window().end() + " " + acc[0] + " " + acc[1]);
    }
  }

  static StreamJob job(Path sessions, Path timers) {
    return (pipeline, params) -> {
      var bids = pipeline.source("bids", new BidSource(EVENTS, RATE, 6))
          .map(new WindowCountJob.FailOnce()).name("fail-once")
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(100)))
          .name("watermarks");
      bids.keyBy(b -> b.auction() % KEYS)
          .window(SessionWindows.<Bid>eventTime(Duration.ofMillis(GAP)))
          .aggregate(new Q5Window.CountAndMax(), new SessionLine()).name("sessions")
          .sink(new ExactlyOnceTextFileSink<String>(sessions.toString(), s -> s)).name("session-files");
      bids.keyBy(b -> b.auction() % KEYS)
          .process(new BucketTimers()).name("bucket-timers")
          .sink(new ExactlyOnceTextFileSink<String>(timers.toString(), s -> s)).name("timer-files");
    };
  }

  /** Sessions by a plain loop: per key, bids in time order, a new session past the gap (touching ones merge). */
  static List<String> sessionOracle() {
    Map<Integer, TreeMap<Long, List<Long>>> byKey = new HashMap<>();
    for (long i = 0; i < EVENTS; i++) {
      Bid b = BidGenerator.bid(i);
      byKey.computeIfAbsent(b.auction() % KEYS, k -> new TreeMap<>())
          .computeIfAbsent(b.ts(), t -> new ArrayList<>()).add(b.price());
    }
    List<String> out = new ArrayList<>();
    byKey.forEach((key, bids) -> {
      long start = 0, last = 0, count = 0, max = 0;
      for (Map.Entry<Long, List<Long>> e : bids.entrySet()) {
        if (count > 0 && e.getKey() > last + GAP) {
          out.add("session " + key + " " + start + " " + (last + GAP) + " " + count + " " + max);
          count = 0;
        }
        if (count == 0) {
          start = e.getKey();
          max = Long.MIN_VALUE;
        }
        last = e.getKey();
        for (long p : e.getValue()) {
          count++;
          max = Math.max(max, p);
        }
      }
      out.add("session " + key + " " + start + " " + (last + GAP) + " " + count + " " + max);
    });
    return out;
  }

  /** The bucket timers' lines by a plain loop. */
  static List<String> timerOracle() {
    Map<List<Long>, Long> counts = new HashMap<>();
    for (long i = 0; i < EVENTS; i++) {
      Bid b = BidGenerator.bid(i);
      counts.merge(List.of((long) (b.auction() % KEYS), bucketEnd(b.ts())), 1L, Long::sum);
    }
    List<String> out = new ArrayList<>();
    counts.forEach((kb, n) -> {
      for (long f = 0; f < n / FLUSH_EVERY; f++) {
        out.add("flush " + kb.get(0) + " " + kb.get(1));
      }
      if (n % FLUSH_EVERY > 0) {
        out.add("end " + kb.get(0) + " " + kb.get(1) + " " + n % FLUSH_EVERY);
      }
    });
    return out;
  }

  @ParameterizedTest(name = "{0} backend, parallelism {1} then {2}")
  @CsvSource({"rocksdb, 2, 3", "rocksdb, 3, 1", "heap, 2, 3"})
  void timersAndSessionsAreRestoredExactlyAtAnotherParallelism(String backend, int before, int after) throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path sessions = dir.resolve("sessions");
    Path timers = dir.resolve("timers");
    String name = "timers-" + backend;
    WindowCountJob.failOnceAt(EVENTS / 4, checkpoints, name, timers, 1, false);
    JsonObject json = Checkpointing.jobJson(name, before, checkpoints, 100, "exactly-once")
        .put("stateBackend", backend)
        .put("restartStrategy", new JsonObject().put("type", "none"));

    JobResult failed = Checkpointing.run(json, job(sessions, timers), null);
    assertThat(failed.status()).as("the first run fails once: %s", failed.error()).isEqualTo(JobStatus.FAILED);
    assertThat(WindowCountJob.failed()).isTrue();
    List<Long> completed = Checkpointing.completed(checkpoints, name);
    assertThat(completed).as("checkpoints before the failure").isNotEmpty();
    assertThat(Checkpointing.committedLines(timers).size()).as("the failure came before the end")
        .isLessThan(timerOracle().size());

    String latest = checkpoints.resolve(name).resolve("chk-" + completed.get(completed.size() - 1)).toString();
    JobResult restored = Checkpointing.run(json.copy().put("parallelism", after), job(sessions, timers), latest);

    assertThat(restored.status()).as("error: %s", restored.error()).isEqualTo(JobStatus.FINISHED);
    assertSameMultiset(Checkpointing.committedLines(timers), timerOracle());
    assertSameMultiset(Checkpointing.committedLines(sessions), sessionOracle());
  }
}
