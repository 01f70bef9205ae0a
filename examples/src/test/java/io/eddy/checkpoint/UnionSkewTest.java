package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.StreamJob;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.bench.Q5Window;
import io.eddy.testing.Checkpointing;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two sources at very different rates, unioned and counted per key in event-time windows into the
 * exactly-once file sink: a slow one (2000 events per second) and a fast one, unlimited, whose
 * channels stay full (4 frames of credit), so that each barrier from the fast source arrives behind
 * a queue of its data while the slow source's barrier arrives at once. Aligned (exactly-once)
 * checkpoints must cut every channel at its barrier: with a failure injected into the fast stream
 * mid-run, after a checkpoint, the committed output is still the oracle exactly (without alignment
 * it is not: records of the slow stream behind its barrier are counted twice). In at-least-once
 * mode without a failure the output is the oracle too.
 *
 * <p>The fast stream's event time is compressed 750-fold, so that both streams cover the same 200
 * ms of event time and the slow stream paces the windows.
 */
@Timeout(120)
class UnionSkewTest {
  static final long SLOW_EVENTS = 2_000;
  static final long SLOW_RATE = 2_000; // 1 s
  // enough that the first checkpoint completes before the fast input ends even on a loaded machine: the failure
  // is injected only after it
  static final long FAST_EVENTS = 1_500_000;
  static final long FAST_RATE = 0; // unlimited: held back only by credit
  static final long COMPRESSION = 750;
  static final long WINDOW_MILLIS = 25;
  static final int KEYS = 20;
  static final int CREDITS = 4; // frames in flight per channel: the fast channels stay full

  @TempDir Path dir;

  /** A fast bid with its event time compressed toward {@link BidGenerator#BASE_TIME}. */
  static Bid compressed(Bid b) {
    return new Bid(b.auction(), b.bidder(), b.price(),
        BidGenerator.BASE_TIME + Math.floorDiv(b.ts() - BidGenerator.BASE_TIME, COMPRESSION));
  }

  static StreamJob union(Path output) {
    return (pipeline, params) -> {
      DataStream<Bid> slow = pipeline.source("slow", new BidSource(SLOW_EVENTS, SLOW_RATE))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(50)))
          .name("slow-watermarks");
      DataStream<Bid> fast = pipeline.source("fast", new BidSource(FAST_EVENTS, FAST_RATE))
          .map(new WindowCountJob.FailOnce()).name("fail-once")
          .map(UnionSkewTest::compressed).name("compress")
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(50))
              .withTimestampAssigner((b, t) -> b.ts()))
          .name("fast-watermarks");
      slow.union(fast)
          .keyBy(b -> b.auction() % KEYS)
          .window(TumblingWindows.<Bid>eventTime(Duration.ofMillis(WINDOW_MILLIS)))
          .aggregate(new Q5Window.CountAndMax(), new Q5Window.ToStats()).name("window")
          .sink(new ExactlyOnceTextFileSink<Q5Window.AuctionStats>(output.toString(),
              s -> Checkpointing.line(s.windowStart(), s.auction(), s.count(), s.maxPrice())))
          .name("files");
    };
  }

  static JsonObject json(String name, Path checkpoints, String mode) {
    return Checkpointing.jobJson(name, 2, checkpoints, 20, mode)
        .put("frame", new JsonObject().put("credits", CREDITS));
  }

  static List<String> oracle() {
    List<Bid> bids = new ArrayList<>();
    for (long i = 0; i < SLOW_EVENTS; i++) {
      bids.add(BidGenerator.bid(i));
    }
    for (long i = 0; i < FAST_EVENTS; i++) {
      bids.add(compressed(BidGenerator.bid(i)));
    }
    return Checkpointing.windowOracle(bids, WINDOW_MILLIS, KEYS);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void exactlyOnceWithAFailureInTheFastStreamCommitsTheOracle(long seed) throws Exception {
    long failAt = FAST_EVENTS / 5 + new Random(seed).nextInt((int) (FAST_EVENTS * 3 / 10)); // 20 % to 50 %
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(failAt, checkpoints, "union-eo", output, 1, false);

    JobResult r = Checkpointing.run(json("union-eo", checkpoints, "exactly-once"), union(output), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(WindowCountJob.failed()).as("the failure from fast record %d on was injected", failAt).isTrue();
    assertThat(r.metric("restarts")).isEqualTo(1);
    assertThat(WindowCountJob.checkpointsBeforeFailure).isPositive();
    assertSameMultiset(Checkpointing.committedLines(output), oracle());
  }

  @Test
  void atLeastOnceWithoutAFailureCommitsTheOracle() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(-1, checkpoints, "union-alo", output);

    JobResult r = Checkpointing.run(json("union-alo", checkpoints, "at-least-once"), union(output), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).isZero();
    // checkpoints stop once the fast source has ended (only the final one follows): at least one before
    assertThat(r.metric("checkpoints.completed")).as("checkpoints, the final one included").isGreaterThanOrEqualTo(2);
    assertSameMultiset(Checkpointing.committedLines(output), oracle());
  }
}
