package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints that time out ({@code timeoutMillis} 1) are aborted while their barriers are still
 * flowing: the pre-committed output they leave pending is committed by the final checkpoint, and a
 * failure with no completed checkpoint restarts the job from the beginning; either way the
 * committed output is the oracle exactly.
 */
@Timeout(120)
class CheckpointTimeoutTest {
  static final long EVENTS = 12_000;
  static final long RATE = 20_000;

  @TempDir Path dir;

  private static JsonObject json(String name, Path checkpoints) {
    JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 20, "exactly-once");
    json.getJsonObject("checkpoints").put("timeoutMillis", 1);
    return json;
  }

  @Test
  void checkpointsThatTimeOutAreAbortedAndTheFinalCheckpointCommitsEverything() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(-1, checkpoints, "timeouts", output);

    JobResult r = Checkpointing.run(json("timeouts", checkpoints), WindowCountJob.job(output, EVENTS, RATE), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("checkpoints.aborted")).as("aborted checkpoints").isGreaterThan(5);
    assertThat(Checkpointing.uncommittedFiles(output)).as("pending or in-progress files left").isEmpty();
    assertSameMultiset(Checkpointing.committedLines(output), WindowCountJob.oracle(EVENTS));
  }

  @Test
  void aFailureWithoutACompletedCheckpointRestartsFromTheBeginning() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(EVENTS / 2, checkpoints, "timeouts-failure", output, 0, false);

    JobResult r = Checkpointing.run(json("timeouts-failure", checkpoints), WindowCountJob.job(output, EVENTS, RATE), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(WindowCountJob.failed()).isTrue();
    assertThat(r.metric("restarts")).isEqualTo(1);
    assertThat(r.metric("checkpoints.aborted")).as("aborted checkpoints").isPositive();
    assertSameMultiset(Checkpointing.committedLines(output), WindowCountJob.oracle(EVENTS));
  }
}
