package io.eddy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BroadcastProcessFunction;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broadcast state and user operator state survive a failure: after the restart the rules source
 * is not replayed (its position says done), so the orders processed after the failure can only
 * know the rules through the restored broadcast state; a per-subtask operator-state counter
 * continues from its checkpointed value.
 */
@Timeout(120)
class OperatorStateRecoveryTest {
  private static final int EVENTS = 30_000;
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicLong FAILED_AT = new AtomicLong(-1);
  private static volatile Path checkpointMetadata; // the job's checkpoint directory
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    FAILED.set(false);
    FAILED_AT.set(-1);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Counts the bids a subtask has seen, in split operator state, and fails once mid-run. */
  static final class CountingFailer implements io.eddy.api.function.MapFunction<String, String>, RichFunction {
    private ListState<Long> saved;
    private long seen;

    @Override
    public void open(RuntimeContext context) {
      saved = context.operatorState().getListState(new ListStateDescriptor<>("seen", Long.class));
      for (Long n : saved.get()) {
        seen += n;
      }
    }

    private static boolean aCheckpointCompleted() {
      try (var dirs = Files.list(checkpointMetadata)) {
        return dirs.anyMatch(d -> Files.exists(d.resolve("_metadata")));
      } catch (java.io.IOException e) {
        return false;
      }
    }

    @Override
    public void snapshotState(long checkpointId) {
      saved.update(List.of(seen));
    }

    @Override
    public String map(String line) {
      seen++;
      if (seen > EVENTS / 4 && aCheckpointCompleted() && FAILED.compareAndSet(false, true)) {
        FAILED_AT.set(seen);
        throw new IllegalStateException("injected failure after " + seen + " records");
      }
      return line + " seen>0 " + (seen > 0);
    }
  }

  @Test
  void broadcastRulesAndOperatorStateAreRestoredAfterAFailure(@TempDir Path tmp) throws Exception {
    checkpointMetadata = tmp.resolve("ckpt/opstate");
    Path out = tmp.resolve("out");
    StreamJob job = (pipeline, params) -> {
      var rules = pipeline.source(CollectionSource.of(List.of("r1", "r2", "r3"))).parallelism(1).broadcastStream();
      pipeline.source(new BidSource(EVENTS, 20_000, 2))
          .connect(rules)
          .process(new BroadcastProcessFunction<Bid, String, String>() {
            @Override
            public void processElement(Bid b, ReadOnlyContext ctx, Collector<String> c) {
              Map<String, Boolean> known = ctx.broadcastState("rules");
              c.collect("bid " + b.auction() + "-" + b.bidder() + "-" + b.price() + "-" + b.ts() + " rules " + known.size());
            }

            @Override
            public void processBroadcastElement(String rule, Context ctx, Collector<String> c) {
              ctx.<String, Boolean>broadcastState("rules").put(rule, true);
            }
          })
          .map(new CountingFailer())
          .sink(new ExactlyOnceTextFileSink<String>(out.toString(), s -> s));
    };
    String json = "{\"name\":\"opstate\",\"job\":\"t.T\",\"parallelism\":2"
        + ",\"checkpoints\":{\"intervalMillis\":100,\"directory\":\"" + tmp.resolve("ckpt") + "\"}"
        + ",\"restartStrategy\":{\"type\":\"fixed-delay\",\"attempts\":2,\"delayMillis\":50}}";
    JobResult r = new JobCoordinator(vertx, new JobDefinition(JobConfig.parse(json, "t"), job), null).run()
        .toCompletionStage().toCompletableFuture().get(100, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).as(r.metrics().toString()).isEqualTo(1);
    assertThat(FAILED_AT.get()).isPositive();
    System.out.println("recovery: restart.lastMillis=" + r.metric("restart.lastMillis")
        + " checkpoints.p50DurationMillis=" + r.metric("checkpoints.p50DurationMillis"));

    List<String> lines = SavepointRescaleTest.committedLines(out);
    Set<String> expected = new HashSet<>();
    for (long i = 0; i < EVENTS; i++) {
      Bid b = io.eddy.connectors.generator.BidGenerator.bid(i);
      expected.add(b.auction() + "-" + b.bidder() + "-" + b.price() + "-" + b.ts());
    }
    assertThat(expected).as("the bids are distinct").hasSize(EVENTS);
    Set<String> bids = new HashSet<>();
    long lateStart = io.eddy.connectors.generator.BidGenerator.BASE_TIME + EVENTS / 10 / 4;
    int withoutRules = 0;
    for (String l : lines) {
      String[] f = l.split(" ");
      assertThat(bids.add(f[1])).as("bid %s committed once", f[1]).isTrue();
      long ts = Long.parseLong(f[1].substring(f[1].lastIndexOf('-') + 1));
      if (Integer.parseInt(f[3]) < 3) {
        withoutRules++;
        assertThat(ts).as("only the first bids may precede the rules: %s", l).isLessThan(lateStart);
      }
      assertThat(f[5]).isEqualTo("true");
    }
    assertThat(bids).isEqualTo(expected);
    assertThat(withoutRules).isLessThan(EVENTS / 4);
  }
}
