package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.socket.SocketTextSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Checkpointing;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.CollectingSink.Arrival;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs reading a real TCP server (a Vert.x NetServer started here) with the socket source. With
 * checkpoints taken while the lines stream in, every line arrives once, in order, and the job ends
 * when the server closes the connection (no retries). After a failure and a restore, the source
 * connects again and reads on from what the server sends then: at most once, nothing twice.
 */
@Timeout(120)
class SocketSourceJobTest {
  @TempDir Path dir;

  @Test
  void aCheckpointedJobReadsEveryLineInOrderAndEndsWhenTheServerCloses() throws Exception {
    int total = 20_000;
    Vertx serverVertx = Vertx.vertx();
    try {
      NetServer server = serverVertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
          .connectHandler(socket -> stream(serverVertx, socket, 0, total))
          .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Queue<Arrival<String>> arrivals = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> pipeline
          .source("lines", new SocketTextSource("127.0.0.1", server.actualPort()).withMaxRetries(0))
          .map(String::toUpperCase).name("upper")
          .sink(new CollectingSink<>(arrivals)).name("collect");

      JobResult r = Checkpointing.run(Checkpointing.jobJson("socket-job", 2, dir, 50, "exactly-once"), job, null);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        expected.add("LINE " + i);
      }
      assertThat(arrivals.stream().map(Arrival::record).toList()).isEqualTo(expected);
      assertThat(arrivals).extracting(Arrival::subtask).containsOnly(0);
      assertThat(r.metric("checkpoints.completed")).as("checkpoints while reading the socket").isPositive();
      assertThat(r.metric("lines.linesRead")).isEqualTo(total);
    } finally {
      serverVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static final java.util.concurrent.atomic.AtomicBoolean FAILED = new java.util.concurrent.atomic.AtomicBoolean();
  private static final java.util.concurrent.atomic.AtomicLong SEEN = new java.util.concurrent.atomic.AtomicLong();
  private static volatile Path observedOutput;

  /** Throws once, after a checkpoint committed some output. */
  static final class FailOnceAfterACommit implements io.eddy.api.function.MapFunction<String, String> {
    @Override
    public String map(String line) throws Exception {
      if (!FAILED.get() && SEEN.incrementAndGet() % 100 == 0
          && !Checkpointing.committedLines(observedOutput).isEmpty() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at line " + line);
      }
      return line;
    }
  }

  @Test
  void afterARestoreTheSourceReconnectsAndReadsOnWithoutReadingAnythingTwice() throws Exception {
    int total = 40_000;
    FAILED.set(false);
    SEEN.set(0);
    Path output = dir.resolve("out");
    observedOutput = output;
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    Vertx serverVertx = Vertx.vertx();
    try {
      // a server that never replays: every connection gets the lines from where the last one stopped
      NetServer server = serverVertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
          .connectHandler(socket -> {
            connections.incrementAndGet();
            AtomicBoolean open = new AtomicBoolean(true);
            socket.closeHandler(v -> open.set(false));
            streamOn(serverVertx, socket, open, next, total);
          })
          .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      StreamJob job = (pipeline, params) -> pipeline
          .source("lines", new SocketTextSource("127.0.0.1", server.actualPort()).withMaxRetries(0))
          .map(new FailOnceAfterACommit()).name("fail-once")
          .sink(new ExactlyOnceTextFileSink<String>(output.toString(), l -> l)).name("files");

      JobResult r = Checkpointing.run(Checkpointing.jobJson("socket-restore", 1, dir.resolve("chk"), 50, "exactly-once"),
          job, null);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertThat(FAILED.get()).as("the failure was injected").isTrue();
      assertThat(r.metric("restarts")).isEqualTo(1);
      assertThat(connections.get()).as("the restored source connected again").isEqualTo(2);
      List<Integer> numbers = Checkpointing.committedLines(output).stream()
          .map(l -> Integer.parseInt(l.substring("line ".length()))).toList();
      assertThat(numbers).as("no line read twice").doesNotHaveDuplicates();
      assertThat(numbers).allMatch(n -> n >= 0 && n < total);
      assertThat(numbers).as("the restored attempt read on to the end").contains(total - 1);
      System.out.println("figure: socket source restore lost " + (total - numbers.size()) + " of " + total
          + " lines (read after the restored checkpoint, or sent to the failed attempt)");
    } finally {
      serverVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Writes the next 200 lines every millisecond while the connection is open; ends it after the last. */
  private static void streamOn(Vertx vertx, NetSocket socket, AtomicBoolean open,
      java.util.concurrent.atomic.AtomicInteger next, int total) {
    if (!open.get()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < 200 && next.get() < total; k++) {
      b.append("line ").append(next.getAndIncrement()).append('\n');
    }
    socket.write(b.toString());
    if (next.get() >= total) {
      socket.end();
    } else {
      vertx.setTimer(1, t -> streamOn(vertx, socket, open, next, total));
    }
  }

  /** Writes lines {@code from..total-1} 500 at a time, one batch per millisecond, then closes. */
  private static void stream(Vertx vertx, NetSocket socket, int from, int total) {
    StringBuilder b = new StringBuilder();
    int to = Math.min(total, from + 500);
    for (int i = from; i < to; i++) {
      b.append("line ").append(i).append('\n');
    }
    socket.write(b.toString());
    if (to == total) {
      socket.end();
    } else {
      vertx.setTimer(1, t -> stream(vertx, socket, to, total));
    }
  }
}
