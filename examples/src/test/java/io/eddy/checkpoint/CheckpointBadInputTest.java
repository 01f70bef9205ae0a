package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.runtime.LiveTasks;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint directories that are wrong or half-written: a directory that cannot be created stops
 * the job before it starts; an incomplete {@code chk-<n>} is never the latest; another job's
 * checkpoint is refused; {@code retain} keeps exactly the newest K complete checkpoints.
 */
@Timeout(120)
class CheckpointBadInputTest {
  static final long EVENTS = 12_000;
  static final long RATE = 10_000; // 1.2 s: room for the two checkpoints before the failure at half-way

  @TempDir Path dir;

  private JsonObject json(String name, Path checkpoints) {
    return Checkpointing.jobJson(name, 2, checkpoints, 50, "exactly-once");
  }

  /** Runs the window job once with a failure from 50 % on and no restart: it fails, its checkpoints stay. */
  private JobResult runAndFailWithoutRestart(String name, Path checkpoints, Path output) throws Exception {
    WindowCountJob.failOnceAt(EVENTS / 2, checkpoints, name, output);
    JsonObject json = json(name, checkpoints).put("restartStrategy", new JsonObject().put("type", "none"));
    JobResult r = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE), null);
    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).contains("injected failure");
    assertThat(WindowCountJob.checkpointsBeforeFailure).as("checkpoints before the failure").isGreaterThanOrEqualTo(2);
    return r;
  }

  private static Throwable failureOf(JsonObject json, Path output, String restoreFrom) {
    Throwable t = catchThrowable(() -> Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE), restoreFrom));
    assertThat(t).as("the job must not run").isInstanceOf(ExecutionException.class);
    return t.getCause();
  }

  @Test
  void aCheckpointDirectoryThatCannotBeCreatedStopsTheJobNamingTheKeyAndThePath() throws Exception {
    Path plainFile = Files.writeString(dir.resolve("plain-file"), "not a directory");
    Path checkpoints = plainFile.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(-1, checkpoints, "unwritable", output);
    int tasksBefore = LiveTasks.all().size();

    Throwable cause = failureOf(json("unwritable", checkpoints), output, null);

    assertThat(cause.getMessage()).contains("checkpoints.directory").contains(checkpoints.toString());
    assertThat(LiveTasks.all()).hasSize(tasksBefore);
    assertThat(output).as("nothing was written").doesNotExist();
  }

  @Test
  void anIncompleteCheckpointWithAHigherIdIsNeverTheLatestAndRestoringTheLatestGivesTheOracle() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    runAndFailWithoutRestart("partial", checkpoints, output);
    CheckpointStorage storage = Checkpointing.storage(checkpoints, "partial");
    long latest = storage.latest().orElseThrow();
    // a checkpoint that crashed while its metadata was being written: task state, a temp file, no _metadata
    long partialId = latest + 7;
    Path partial = storage.taskDirectory(partialId, 1, 0);
    Files.writeString(partial.resolve("window_1.kg"), "garbage");
    Files.writeString(storage.checkpointDirectory(partialId).resolve(CheckpointStorage.METADATA + ".tmp"), "{\"job\": \"part");

    assertThat(storage.latest()).contains(latest);
    assertThat(storage.completed()).doesNotContain(partialId);
    Throwable explicit = failureOf(json("partial", checkpoints), output, storage.checkpointDirectory(partialId).toString());
    assertThat(explicit.getMessage()).contains(storage.checkpointDirectory(partialId).toString()).contains("_metadata");

    JobResult r = Checkpointing.run(json("partial", checkpoints), WindowCountJob.job(output, EVENTS, RATE), "latest");

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertSameMultiset(Checkpointing.committedLines(output), WindowCountJob.oracle(EVENTS));
  }

  @Test
  void restoringACheckpointOfAnotherJobIsRefusedNamingBothJobs() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    runAndFailWithoutRestart("alpha", checkpoints, dir.resolve("alpha-out"));
    Path alphaCheckpoint = Checkpointing.storage(checkpoints, "alpha").checkpointDirectory(
        Checkpointing.storage(checkpoints, "alpha").latest().orElseThrow());
    Path betaOutput = dir.resolve("beta-out");
    int tasksBefore = LiveTasks.all().size();

    Throwable cause = failureOf(json("beta", checkpoints), betaOutput, alphaCheckpoint.toString());

    assertThat(cause.getMessage()).contains("'alpha'").contains("'beta'").contains(alphaCheckpoint.toString());
    assertThat(LiveTasks.all()).hasSize(tasksBefore);
    assertThat(betaOutput).as("nothing was written").doesNotExist();
  }

  @Test
  void retainKeepsExactlyTheNewestCompleteCheckpoints() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(-1, checkpoints, "retained", output);
    // a checkpoint every millisecond: the next one often completes while the last is being stored
    JsonObject json = Checkpointing.jobJson("retained", 2, checkpoints, 1, "exactly-once");
    json.getJsonObject("checkpoints").put("retain", 2);

    JobResult r = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long completed = r.metric("checkpoints.completed");
    assertThat(completed).as("checkpoints completed").isGreaterThan(5);
    long aborted = r.metric("checkpoints.aborted");
    assertThat(aborted).as("aborted (at most the one the final checkpoint supersedes)").isLessThanOrEqualTo(1);
    CheckpointStorage storage = Checkpointing.storage(checkpoints, "retained");
    List<Long> kept = storage.completed();
    assertThat(kept).hasSize(2);
    // ids count up from 1 over completed and aborted checkpoints; an aborted one is just before the final
    assertThat(kept.get(1)).as("newest kept: the last id").isEqualTo(completed + aborted);
    assertThat(kept.get(0)).as("the one before it that completed").isEqualTo(kept.get(1) - 1 - aborted);
    assertThat(CheckpointStorage.readMetadata(storage.checkpointDirectory(kept.get(1))).getBoolean("final")).isTrue();
    try (Stream<Path> s = Files.list(storage.root())) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("chk-")).sorted().toList())
          .as("no other checkpoint directory, complete or not")
          .containsExactlyInAnyOrder("chk-" + kept.get(0), "chk-" + kept.get(1));
    }
    assertSameMultiset(Checkpointing.committedLines(output), WindowCountJob.oracle(EVENTS));
  }

  @Test
  void afterRestoringAnOlderCheckpointNewCheckpointsAreNumberedAboveEveryExistingOne() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    runAndFailWithoutRestart("rewind", checkpoints, output);
    CheckpointStorage storage = Checkpointing.storage(checkpoints, "rewind");
    List<Long> kept = storage.completed();
    assertThat(kept).hasSizeGreaterThanOrEqualTo(2);
    long newestOfFailedRun = kept.get(kept.size() - 1);
    // restore the oldest kept checkpoint; no checkpoint but the final one in this run
    JsonObject json = json("rewind", checkpoints);
    json.getJsonObject("checkpoints").put("intervalMillis", 600_000);
    WindowCountJob.failOnceAt(-1, checkpoints, "rewind", output);

    JobResult r = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE),
        storage.checkpointDirectory(kept.get(0)).toString());

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long latest = storage.latest().orElseThrow();
    assertThat(latest).as("the final checkpoint of the restored run is the latest").isGreaterThan(newestOfFailedRun);
    assertThat(CheckpointStorage.readMetadata(storage.checkpointDirectory(latest)).getBoolean("final")).isTrue();
    List<String> afterRestoredRun = Checkpointing.committedLines(output);

    JobResult again = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE),
        storage.checkpointDirectory(latest).toString());

    assertThat(again.status()).as("error: %s", again.error()).isEqualTo(JobStatus.FINISHED);
    assertSameMultiset(Checkpointing.committedLines(output), afterRestoredRun);
  }

  @Test
  void aFreshRunInADirectoryWithAnEarlierRunsCheckpointsCommitsItsOwnOutput() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path firstOutput = dir.resolve("first-out");
    WindowCountJob.failOnceAt(-1, checkpoints, "rerun", firstOutput);
    JobResult first = Checkpointing.run(json("rerun", checkpoints), WindowCountJob.job(firstOutput, EVENTS, RATE), null);
    assertThat(first.status()).as("error: %s", first.error()).isEqualTo(JobStatus.FINISHED);
    Path secondOutput = dir.resolve("second-out");
    WindowCountJob.failOnceAt(-1, checkpoints, "rerun", secondOutput);

    JobResult second = Checkpointing.run(json("rerun", checkpoints), WindowCountJob.job(secondOutput, EVENTS, RATE), null);

    assertThat(second.status()).as("error: %s", second.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(second.metric("restarts")).isZero();
    assertThat(second.metric("checkpoints.aborted")).as("checkpoints aborted").isLessThanOrEqualTo(1);
    assertSameMultiset(Checkpointing.committedLines(secondOutput), WindowCountJob.oracle(EVENTS));
  }

  @Test
  void aFreshRunThatFailsBeforeItsFirstCheckpointRestartsAfreshNotFromAnEarlierRunsCheckpoint() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path firstOutput = dir.resolve("first-out");
    WindowCountJob.failOnceAt(-1, checkpoints, "rerun-fail", firstOutput);
    JobResult first = Checkpointing.run(json("rerun-fail", checkpoints), WindowCountJob.job(firstOutput, EVENTS, RATE), null);
    assertThat(first.status()).as("error: %s", first.error()).isEqualTo(JobStatus.FINISHED);
    Path secondOutput = dir.resolve("second-out");
    WindowCountJob.failOnceAt(EVENTS / 2, checkpoints, "rerun-fail", secondOutput, 0, false);
    JsonObject json = json("rerun-fail", checkpoints);
    json.getJsonObject("checkpoints").put("intervalMillis", 600_000); // none before the failure

    JobResult second = Checkpointing.run(json, WindowCountJob.job(secondOutput, EVENTS, RATE), null);

    assertThat(second.status()).as("error: %s", second.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(WindowCountJob.failed()).isTrue();
    assertThat(second.metric("restarts")).isEqualTo(1);
    assertSameMultiset(Checkpointing.committedLines(secondOutput), WindowCountJob.oracle(EVENTS));
  }
}
