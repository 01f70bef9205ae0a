package io.eddy.checkpoint;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a bounded job with checkpoints: a final checkpoint records what the sinks
 * pre-committed at the end of input, its completion commits it, and the job finishes with all of
 * its output visible; restoring from that final checkpoint has nothing left to do.
 */
@Timeout(120)
class FinalCheckpointTest {
  static final long EVENTS = 12_000;
  static final long RATE = 20_000;

  @TempDir Path dir;

  @Test
  void aBoundedJobCommitsEverythingAndEndsWithAFinalCheckpointFromWhichAnExplicitRestoreWritesNothing() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    WindowCountJob.failOnceAt(-1, checkpoints, "final", output);
    JsonObject json = Checkpointing.jobJson("final", 2, checkpoints, 50, "exactly-once");

    JobResult r = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE), null);

    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).isZero();
    assertThat(r.metric("checkpoints.completed")).as("checkpoints before the final one").isGreaterThan(2);
    assertThat(Checkpointing.uncommittedFiles(output)).as("pending or in-progress files left").isEmpty();
    List<String> committed = Checkpointing.committedLines(output);
    assertSameMultiset(committed, WindowCountJob.oracle(EVENTS));
    CheckpointStorage storage = Checkpointing.storage(checkpoints, "final");
    List<Long> ids = storage.completed();
    long latest = ids.get(ids.size() - 1);
    assertThat(CheckpointStorage.readMetadata(storage.checkpointDirectory(latest)).getBoolean("final"))
        .as("chk-%d is final", latest).isTrue();
    for (long id : ids.subList(0, ids.size() - 1)) {
      assertThat(CheckpointStorage.readMetadata(storage.checkpointDirectory(id)).getBoolean("final"))
          .as("chk-%d is not final", id).isFalse();
    }
    Map<Path, byte[]> before = contents(output);

    JobResult again = Checkpointing.run(json, WindowCountJob.job(output, EVENTS, RATE),
        storage.checkpointDirectory(latest).toString());

    assertThat(again.status()).as("error: %s", again.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(again.metric("restarts")).isZero();
    assertThat(Checkpointing.uncommittedFiles(output)).as("pending or in-progress files left").isEmpty();
    Map<Path, byte[]> after = contents(output);
    assertThat(after.keySet()).as("part files after restoring the final checkpoint").isEqualTo(before.keySet());
    before.forEach((f, bytes) -> assertThat(after.get(f)).as("content of %s", f).isEqualTo(bytes));
    assertSameMultiset(Checkpointing.committedLines(output), committed);
  }

  @Test
  void latestAfterAFinishedRunStartsAfreshInsteadOfRestoringItsFinalCheckpoint() throws Exception {
    // a finished job's checkpoints are not resumed, as Flink discards them: a later run with another output
    // directory must neither commit nor look for the finished run's files
    Path checkpoints = dir.resolve("checkpoints");
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    WindowCountJob.failOnceAt(-1, checkpoints, "again", first);
    JsonObject json = Checkpointing.jobJson("again", 2, checkpoints, 50, "exactly-once");
    JobResult r = Checkpointing.run(json, WindowCountJob.job(first, EVENTS, RATE), null);
    assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    CheckpointStorage storage = Checkpointing.storage(checkpoints, "again");
    long finalCheckpoint = storage.latest().orElseThrow();
    assertThat(storage.finishedAt()).contains(finalCheckpoint);
    assertThat(storage.latestToResume()).isEmpty();
    Map<Path, byte[]> firstFiles = contents(first);

    WindowCountJob.failOnceAt(-1, checkpoints, "again", second);
    JobResult again = Checkpointing.run(json, WindowCountJob.job(second, EVENTS, RATE), "latest");

    assertThat(again.status()).as("error: %s", again.error()).isEqualTo(JobStatus.FINISHED);
    assertSameMultiset(Checkpointing.committedLines(second), WindowCountJob.oracle(EVENTS));
    assertThat(contents(first)).as("the finished run's output is left alone").containsOnlyKeys(firstFiles.keySet());
    assertThat(storage.latest().orElseThrow()).as("the new run checkpoints above the finished one")
        .isGreaterThan(finalCheckpoint);
  }

  private static Map<Path, byte[]> contents(Path output) throws Exception {
    Map<Path, byte[]> m = new HashMap<>();
    for (Path f : Checkpointing.committedFiles(output)) {
      m.put(f, Files.readAllBytes(f));
    }
    return m;
  }
}
