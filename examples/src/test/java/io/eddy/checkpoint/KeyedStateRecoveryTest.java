package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactly-once recovery of keyed {@link ValueState} on both state backends: a keyed process
 * function counts bids per key ({@code auction % 500}) in value state, emits {@code r <key> <n>}
 * for the n-th bid of a key, keeps the highest price in a second value state and, from an
 * event-time timer at the end of input, emits {@code end <key> <count> <maxPrice>}. A map throws
 * once mid-run; after the restart from the latest checkpoint the committed lines are the oracle
 * exactly (per key, {@code r <key> 1..N} once each, whatever the order), which they are not if
 * the state is lost, restored stale, or a record is replayed into state that already counted it.
 */
@Timeout(120)
class KeyedStateRecoveryTest {
  static final long EVENTS = 30_000;
  static final long RATE = 10_000; // 3 s: room for the two checkpoints the injected failure waits for
  static final int KEYS = 500;

  @TempDir Path dir;

  /** Running count and highest price per key in value state; the totals from a timer at the end. */
  static final class CountInValueState extends KeyedProcessFunction<Integer, Bid, String> {
    private ValueState<Long> count;
    private ValueState<Long> maxPrice;

    @Override
    public void open(RuntimeContext context) {
      count = context.keyedState().getState(new ValueStateDescriptor<>("count", Long.class));
      maxPrice = context.keyedState().getState(new ValueStateDescriptor<>("maxPrice", Long.class));
    }

    @Override
    public void processElement(Bid bid, Context<Integer> ctx, Collector<String> out) {
      Long c = count.value();
      if (c == null) {
        c = 0L;
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
      }
      count.update(c + 1);
      Long m = maxPrice.value();
      maxPrice.update(m == null ? bid.price() : Math.max(m, bid.price()));
      out.collect("r " + ctx.currentKey() + " " + (c + 1));
    }

    @Override
    public void onTimer(long timestamp, Context<Integer> ctx, Collector<String> out) {
      out.collect("end " + ctx.currentKey() + " " + count.value() + " " + maxPrice.value());
    }
  }

  static StreamJob job(Path output) {
    return (pipeline, params) -> pipeline.source("bids", new BidSource(EVENTS, RATE))
        .map(new WindowCountJob.FailOnce()).name("fail-once")
        .keyBy(b -> b.auction() % KEYS)
        .process(new CountInValueState()).name("count")
        .sink(new ExactlyOnceTextFileSink<String>(output.toString(), s -> s)).name("files");
  }

  static List<String> oracle() {
    long[] counts = new long[KEYS];
    long[] max = new long[KEYS];
    List<String> lines = new ArrayList<>();
    for (long i = 0; i < EVENTS; i++) {
      Bid b = BidGenerator.bid(i);
      int k = b.auction() % KEYS;
      lines.add("r " + k + " " + ++counts[k]);
      max[k] = Math.max(max[k], b.price());
    }
    for (int k = 0; k < KEYS; k++) {
      if (counts[k] > 0) {
        lines.add("end " + k + " " + counts[k] + " " + max[k]);
      }
    }
    return lines;
  }

  @ParameterizedTest(name = "{0} backend, seed {1}, parallelism {2}")
  @CsvSource({"heap, 31, 2", "rocksdb, 32, 2", "rocksdb, 33, 3"})
  void keyedValueStateIsRestoredExactlyOnceAfterATaskFailure(String backend, long seed, int parallelism)
      throws Exception {
    long failAt = EVENTS * 2 / 5 + new Random(seed).nextInt((int) (EVENTS * 2 / 5));
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    String name = "keyed-" + backend;
    WindowCountJob.failOnceAt(failAt, checkpoints, name, output);
    JsonObject json = Checkpointing.jobJson(name, parallelism, checkpoints, 50, "exactly-once")
        .put("stateBackend", backend);

    JobResult r = Checkpointing.run(json, job(output), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(WindowCountJob.failed()).as("the failure from record %d on was injected", failAt).isTrue();
    assertThat(r.metric("restarts")).isEqualTo(1);
    assertThat(WindowCountJob.checkpointsBeforeFailure).isGreaterThanOrEqualTo(2);
    assertThat(WindowCountJob.linesCommittedBeforeFailure).isPositive();
    assertSameMultiset(Checkpointing.committedLines(output), oracle());
  }
}
