package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactly-once recovery from an injected task failure: a rate-limited bid stream counted per key in
 * 100 ms event-time windows into the exactly-once file sink ({@link WindowCountJob}), checkpointed
 * every 50 ms; a map throws once, at a record picked by a seeded random, after several checkpoints
 * completed and output was committed. The job restarts once from its latest checkpoint, finishes,
 * and what it committed is the plain-loop oracle exactly: no line lost, none repeated.
 */
@Timeout(120)
class ExactlyOnceRecoveryTest {
  static final long EVENTS = 30_000;
  // events per second: 3 s, some 50 checkpoints; the failure needs two checkpoints and committed output
  // before the input ends, which 1.5 s did not always give on a loaded machine
  static final long RATE = 10_000;

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}, parallelism {1}, serializeLocal {2}")
  @CsvSource({
      "1, 2, false", "2, 2, false", "3, 2, false", "4, 2, false",
      "5, 1, false", "6, 3, false", "7, 2, true"})
  void aTaskFailureRestartsOnceFromTheLatestCheckpointAndTheCommittedOutputIsTheOracle(
      long seed, int parallelism, boolean serializeLocal) throws Exception {
    long failAt = EVENTS * 2 / 5 + new Random(seed).nextInt((int) (EVENTS * 2 / 5)); // 40 % to 80 %
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    String name = "eo-recovery-" + seed;
    WindowCountJob.failOnceAt(failAt, checkpoints, name, output);
    JsonObject json = Checkpointing.jobJson(name, parallelism, checkpoints, 50, "exactly-once");
    if (serializeLocal) {
      json.put("frame", new JsonObject().put("serializeLocal", true));
    }

    JobResult r = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(WindowCountJob.failed()).as("the failure from record %d on was injected", failAt).isTrue();
    assertThat(r.metric("restarts")).isEqualTo(1);
    assertThat(WindowCountJob.checkpointsBeforeFailure).as("checkpoints complete when the map threw")
        .isGreaterThanOrEqualTo(2);
    assertThat(WindowCountJob.linesCommittedBeforeFailure).as("lines committed when the map threw").isPositive();
    assertSameMultiset(Checkpointing.committedLines(output), WindowCountJob.oracle(EVENTS));
    assertThat(Checkpointing.uncommittedFiles(output)).as("transaction files of the failed attempt left").isEmpty();
  }
}
