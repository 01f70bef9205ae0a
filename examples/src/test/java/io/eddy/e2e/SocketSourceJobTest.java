package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job reading a real TCP server (a Vert.x NetServer started here) with the socket source, with
 * checkpoints taken while the lines stream in: every line arrives once, in order, and the job ends
 * when the server closes the connection (no retries).
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
