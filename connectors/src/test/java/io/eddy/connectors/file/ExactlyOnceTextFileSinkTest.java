package io.eddy.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Counter;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once file sink's transactions, driven directly: what another writer commits, and what a restored writer
 * deletes of the transactions earlier attempts left behind.
 */
class ExactlyOnceTextFileSinkTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private TwoPhaseCommitSinkWriter<String> writer(int subtask, String attemptId) {
    return writer(subtask, attemptId, dir);
  }

  @SuppressWarnings("unchecked")
  private TwoPhaseCommitSinkWriter<String> writer(int subtask, String attemptId, Path output) {
    SinkContext context = new SinkContext() {
      public int subtaskIndex() {
        return subtask;
      }

      public int parallelism() {
        return 2;
      }

      public String operatorName() {
        return "files";
      }

      public Vertx vertx() {
        return vertx;
      }

      public Counter counter(String name) {
        return new Counter(name);
      }

      public String attemptId() {
        return attemptId;
      }
    };
    return (TwoPhaseCommitSinkWriter<String>) new ExactlyOnceTextFileSink<>(output.toString(), Function.<String>identity())
        .createWriter(context);
  }

  private Set<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return new java.util.TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  private void awaitFile(java.util.function.Predicate<String> name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (names().stream().noneMatch(name)) {
      assertThat(System.nanoTime()).as("a file appears in %s: %s", dir, names()).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** The lines of the committed (visible) part files in {@code in}, in file order. */
  private static List<String> committedLines(Path in) throws Exception {
    if (!Files.isDirectory(in)) {
      return List.of();
    }
    List<String> lines = new java.util.ArrayList<>();
    try (Stream<Path> s = Files.list(in)) {
      for (Path f : s.filter(ExactlyOnceTextFileSink::isCommitted).sorted().toList()) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    return lines;
  }

  @Test
  void aWriterOnAnotherDirectoryCommitsWhatTheFirstPreCommittedWhereItWasWritten() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    TwoPhaseCommitSinkWriter<String> before = writer(0, "r1a0", first);
    before.write("a", 1);
    before.write("b", 2);
    String committable = await(before.preCommit(1));
    assertThat(committedLines(first)).as("nothing visible before the commit").isEmpty();

    // as after a restore with another output directory: the restored committable is committed by the new writer
    TwoPhaseCommitSinkWriter<String> after = writer(0, "r1a1", second);
    await(after.commit(List.of(committable)));
    assertThat(committedLines(first)).containsExactly("a", "b");
    await(after.commit(List.of(committable))); // committing again does nothing
    assertThat(committedLines(first)).containsExactly("a", "b");
    assertThat(second).doesNotExist();
  }

  @Test
  void aRestoredWriterDeletesTheTransactionsOfFailedAttemptsThatTheCheckpointDoesNotName() throws Exception {
    // attempt 0 (job run "r1"): subtask 0 pre-commits twice (the checkpoint recorded the first), subtask 1 is
    // cut off while writing; a committed file stays
    TwoPhaseCommitSinkWriter<String> old0 = writer(0, "r1a0");
    old0.write("recorded", 1);
    String recorded = await(old0.preCommit(1));
    old0.write("committed", 2);
    String committed = await(old0.preCommit(2));
    await(old0.commit(List.of(committed)));
    old0.write("never completed", 3);
    String orphanedPending = await(old0.preCommit(3));
    TwoPhaseCommitSinkWriter<String> old1 = writer(1, "r1a0");
    old1.write("cut off", 4);
    await(old1.preCommit(4)); // a pending file of a checkpoint that never completed, too
    old1.write("in progress", 5);
    awaitFile(n -> n.startsWith(".part-1-r1a0-") && n.endsWith(".inprogress")); // opened on a worker
    Files.writeString(dir.resolve("notes.txt"), "not ours");

    // attempt 1: subtask 1 is already writing when subtask 0 discards
    TwoPhaseCommitSinkWriter<String> new1 = writer(1, "r1a1");
    new1.write("current", 6);
    String current = await(new1.preCommit(6));
    new1.write("current, in progress", 7);
    awaitFile(n -> n.startsWith(".part-1-r1a1-") && n.endsWith(".inprogress"));
    TwoPhaseCommitSinkWriter<String> new0 = writer(0, "r1a1");
    Set<String> before = names();

    await(new0.discardAbandoned(Set.of(recorded, "")));

    Set<String> after = names();
    assertThat(after).contains(Path.of(recorded).getFileName().toString(), Path.of(current).getFileName().toString(),
        "notes.txt");
    assertThat(after).as("the committed file").anyMatch(n -> n.startsWith("part-0-r1a0-"));
    assertThat(after).as("the current attempt's file in progress").anyMatch(n -> n.startsWith(".part-1-r1a1-")
        && n.endsWith(".inprogress"));
    assertThat(after).doesNotContain(Path.of(orphanedPending).getFileName().toString());
    assertThat(after.stream().filter(n -> n.startsWith(".part-") && n.contains("-r1a0-")).toList())
        .as("hidden files of attempt 0 left").containsExactly(Path.of(recorded).getFileName().toString());
    assertThat(before.size() - after.size()).as("deleted: %s", before).isEqualTo(3);

    // what the checkpoint recorded still commits
    await(new0.commit(List.of(recorded)));
    assertThat(names()).anyMatch(n -> n.equals(Path.of(recorded).getFileName().toString().substring(1)
        .replace(".pending", "")));
  }
}
