package io.eddy.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines written from outside any Vert.x thread reach the file complete and in order. */
class BufferedTextOutputTest {
  @TempDir Path tmp;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void linesFromANonVertxThreadArriveInOrder() throws Exception {
    // A non-Vert.x caller gets a fresh context from every vertx.executeBlocking: the output must
    // still open, write its many buffers and close in order.
    for (int round = 0; round < 20; round++) {
      Path file = tmp.resolve("out-" + round + ".txt");
      BufferedTextOutput out = new BufferedTextOutput(vertx,
          () -> new BufferedOutputStream(Files.newOutputStream(file), 1 << 12), true);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 50_000; i++) { // about 15 buffers of 64 KiB
        String line = "line-" + round + "-" + i + "-" + "x".repeat(i % 20);
        expected.add(line);
        out.writeLine(line);
      }
      Future<Void> done = out.finish();
      done.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(Files.readAllLines(file)).as("round %d", round).isEqualTo(expected);
    }
  }
}
