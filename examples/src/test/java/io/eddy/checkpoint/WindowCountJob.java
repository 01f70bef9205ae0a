package io.eddy.checkpoint;

import io.eddy.api.StreamJob;
import io.eddy.api.function.MapFunction;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.eddy.examples.bench.Q5Window;
import io.eddy.testing.Checkpointing;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline most checkpoint tests run: a (rate-limited) bid stream through a map that can throw
 * once, counted per key {@code auction % KEYS} in 100 ms event-time windows (count and highest
 * price, state in the window operator only), into the exactly-once file sink as lines
 * {@code <windowStart> <key> <count> <maxPrice>}. The failure switch is static: it is shared by
 * every subtask and every attempt of the job, so the restarted attempt does not throw again.
 */
final class WindowCountJob {
  static final long WINDOW_MILLIS = 100; // 1000 events of event time
  static final int KEYS = 50;

  private static final AtomicLong SEEN = new AtomicLong();
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static volatile long failAt = -1;
  private static volatile Path observedCheckpoints;
  private static volatile String observedJob;
  private static volatile Path observedOutput;
  private static volatile int minCheckpoints;
  private static volatile boolean committedOutput;
  static volatile long failedAt = -1;
  static volatile int checkpointsBeforeFailure = -1;
  static volatile int linesCommittedBeforeFailure = -1;

  private WindowCountJob() {}

  /**
   * Arms the failure: from the {@code recordIndex}-th record seen by all subtasks together
   * (1-based; -1 for no failure) the map throws once, as soon as at least two checkpoints of
   * {@code job} in {@code checkpoints} are complete and some output is committed in {@code output}
   * (checked every 100 records, so that a slow machine still fails after recovery has something
   * to recover). The numbers seen then are recorded.
   */
  static void failOnceAt(long recordIndex, Path checkpoints, String job, Path output) {
    failOnceAt(recordIndex, checkpoints, job, output, 2, true);
  }

  /**
   * As {@link #failOnceAt(long, Path, String, Path)}, waiting for {@code minCheckpoints} complete
   * checkpoints and, if {@code committedOutput}, for some committed output.
   */
  static void failOnceAt(long recordIndex, Path checkpoints, String job, Path output, int minCheckpoints,
      boolean committedOutput) {
    WindowCountJob.minCheckpoints = minCheckpoints;
    WindowCountJob.committedOutput = committedOutput;
    SEEN.set(0);
    FAILED.set(false);
    failAt = recordIndex;
    observedCheckpoints = checkpoints;
    observedJob = job;
    observedOutput = output;
    failedAt = -1;
    checkpointsBeforeFailure = -1;
    linesCommittedBeforeFailure = -1;
  }

  static boolean failed() {
    return FAILED.get();
  }

  /** Throws once, at or after the armed record index (see {@link #failOnceAt}). */
  static final class FailOnce implements MapFunction<Bid, Bid> {
    @Override
    public Bid map(Bid bid) throws Exception {
      long n = SEEN.incrementAndGet();
      if (failAt > 0 && n >= failAt && (n - failAt) % 100 == 0 && !FAILED.get()) {
        int checkpoints = Checkpointing.completed(observedCheckpoints, observedJob).size();
        int lines = Checkpointing.committedLines(observedOutput).size();
        if (checkpoints >= minCheckpoints && (lines > 0 || !committedOutput) && FAILED.compareAndSet(false, true)) {
          failedAt = n;
          checkpointsBeforeFailure = checkpoints;
          linesCommittedBeforeFailure = lines;
          throw new IllegalStateException("injected failure at record " + n);
        }
      }
      return bid;
    }
  }

  static StreamJob job(Path output, long events, long rate) {
    return (pipeline, params) -> pipeline.source("bids", new BidSource(events, rate))
        .map(new FailOnce()).name("fail-once")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(100)))
        .name("watermarks")
        .keyBy(b -> b.auction() % KEYS)
        .window(TumblingWindows.<Bid>eventTime(Duration.ofMillis(WINDOW_MILLIS)))
        .aggregate(new Q5Window.CountAndMax(), new Q5Window.ToStats()).name("window")
        .sink(new ExactlyOnceTextFileSink<Q5Window.AuctionStats>(output.toString(),
            s -> Checkpointing.line(s.windowStart(), s.auction(), s.count(), s.maxPrice())))
        .name("files");
  }

  /** The committed output this job must end with over bids {@code 0..events-1}. */
  static List<String> oracle(long events) {
    return Checkpointing.windowOracle(events, WINDOW_MILLIS, KEYS);
  }
}
