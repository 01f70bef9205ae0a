package io.eddy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Counter;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.testing.Checkpointing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exactly-once file sink's transactions, driven directly: pre-commit, then commit by another writer. */
class ExactlyOnceFileSinkTest {
  @TempDir Path tmp;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @SuppressWarnings("unchecked")
  private TwoPhaseCommitSinkWriter<String> writer(Path dir) throws Exception {
    SinkContext context = new SinkContext() {
      public int subtaskIndex() {
        return 0;
      }

      public int parallelism() {
        return 1;
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
    };
    return (TwoPhaseCommitSinkWriter<String>) new ExactlyOnceTextFileSink<>(dir.toString(), Function.<String>identity())
        .createWriter(context);
  }

  @Test
  void aWriterOnAnotherDirectoryCommitsWhatTheFirstPreCommittedWhereItWasWritten() throws Exception {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    TwoPhaseCommitSinkWriter<String> before = writer(first);
    before.write("a", 1);
    before.write("b", 2);
    String committable = await(before.preCommit(1));
    assertThat(Checkpointing.committedLines(first)).as("nothing visible before the commit").isEmpty();

    // as after a restore with another output directory: the restored committable is committed by the new writer
    TwoPhaseCommitSinkWriter<String> after = writer(second);
    await(after.commit(List.of(committable)));
    assertThat(Checkpointing.committedLines(first)).containsExactly("a", "b");
    await(after.commit(List.of(committable))); // committing again does nothing
    assertThat(Checkpointing.committedLines(first)).containsExactly("a", "b");
    assertThat(second).doesNotExist();
  }
}
