package io.eddy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restart strategies count failures of the job, not of its tasks: when every subtask of an attempt
 * fails (a bug in user code hits all of them), the attempt is restarted once, and the job gives up
 * after exactly the configured number of restarts, leaving no task behind.
 */
@Timeout(120)
class RestartStrategyTest {
  static final AtomicInteger BUILDS = new AtomicInteger();

  @TempDir Path dir;

  /** Every subtask of the map throws at its first record, in every attempt. */
  static StreamJob alwaysFailing(Path output) {
    return (pipeline, params) -> {
      BUILDS.incrementAndGet();
      pipeline.source("bids", new BidSource(10_000))
          .map(b -> {
            throw new IllegalStateException("bad bid " + b.auction());
          }).returns(Object.class).name("always-fails") // a lambda that only throws shows no result type
          .sink(new ExactlyOnceTextFileSink<Object>(output.toString(), String::valueOf)).name("files");
    };
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 3})
  void aJobWhoseSubtasksAllFailIsRestartedOncePerFailureAndGivesUpAfterTheAttempts(int parallelism) throws Exception {
    JsonObject json = Checkpointing.jobJson("always-fails", parallelism, dir.resolve("checkpoints"), 50, "exactly-once");

    JobResult r = Checkpointing.run(json, alwaysFailing(dir.resolve("out")), null);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).contains("always-fails").contains("bad bid");
    assertThat(r.metric("restarts")).as("restarts (fixed-delay, 3 attempts)").isEqualTo(3);
  }

  @Test
  void failureRateStrategyGivesUpWhenTooManyFailuresFallInItsInterval() throws Exception {
    JsonObject json = Checkpointing.jobJson("failure-rate", 2, dir.resolve("checkpoints"), 50, "exactly-once")
        .put("restartStrategy", new JsonObject().put("type", "failure-rate").put("maxFailures", 2)
            .put("intervalMillis", 60_000).put("delayMillis", 10));

    JobResult r = Checkpointing.run(json, alwaysFailing(dir.resolve("out")), null);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.metric("restarts")).as("restarts (failure-rate, 2 per minute)").isEqualTo(2);
  }
}
