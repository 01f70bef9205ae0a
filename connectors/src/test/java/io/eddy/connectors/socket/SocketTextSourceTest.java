package io.eddy.connectors.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.Counter;
import io.eddy.connector.ConnectorException;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReader.InputStatus;
import io.eddy.connector.SourceReaderContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The socket source against real Vert.x TCP servers started here: its reader runs on an event-loop
 * context of its own and is polled as a task would poll it (only while the "task" has room).
 */
class SocketTextSourceTest {
  private static final long WAIT_MILLIS = 30_000;
  private final Vertx vertx = Vertx.vertx();
  private final Context readerContext = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Drives a reader like a task: polls on its context when woken and while it has room. */
  final class Task implements SourceReaderContext {
    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, Counter> counters = new ConcurrentHashMap<>();
    final AtomicBoolean hasRoom = new AtomicBoolean(true);
    volatile InputStatus last;
    volatile Throwable failure;
    SourceReader<String> reader;

    Task(SocketTextSource source) throws Exception {
      onContext(() -> {
        reader = source.createReader(this);
        reader.addSplits(new ArrayList<>(source.createSplits(1)));
      });
    }

    void poll() {
      if (!hasRoom.get() || reader == null || failure != null) {
        return;
      }
      try {
        SourceOutput<String> out = new SourceOutput<>() {
          @Override
          public void collect(String record) {
            lines.add(record);
          }

          @Override
          public void collect(String record, long timestamp) {
            lines.add(record);
          }
        };
        InputStatus s;
        do {
          s = reader.pollNext(out, 64);
        } while (s == InputStatus.MORE_AVAILABLE && hasRoom.get());
        last = s;
      } catch (Throwable e) {
        failure = e;
      }
    }

    void room(boolean room) {
      hasRoom.set(room);
      if (room) {
        readerContext.runOnContext(v -> poll());
      }
    }

    @Override
    public int subtaskIndex() {
      return 0;
    }

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public Vertx vertx() {
      return vertx;
    }

    @Override
    public void wakeUp() {
      readerContext.runOnContext(v -> poll());
    }

    @Override
    public Counter counter(String name) {
      return counters.computeIfAbsent(name, Counter::new);
    }

    long count(String name) {
      return counter(name).get();
    }

    void close() throws Exception {
      onContext(() -> reader.close());
    }
  }

  private void onContext(ThrowingRunnable action) throws Exception {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    readerContext.runOnContext(v -> {
      try {
        action.run();
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    done.get(30, TimeUnit.SECONDS);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + WAIT_MILLIS + " ms: " + what);
      }
      Thread.sleep(10); // polling a condition, not waiting for it to happen by itself
    }
  }

  /** A server on loopback that runs {@code onConnect} for every connection; port 0 picks a free one. */
  private NetServer server(int port, Consumer<NetSocket> onConnect) throws Exception {
    return vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port))
        .connectHandler(onConnect::accept)
        .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void linesArriveInOrderAndTheInputEndsWhenTheServerClosesWithoutRetries() throws Exception {
    List<String> expected = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      String line = "line " + i + " zürich \u20ac " + "x".repeat(i % 30);
      expected.add(line);
      text.append(line).append(i % 3 == 0 ? "\r\n" : "\n");
    }
    expected.add("a last line without a break");
    text.append("a last line without a break");
    Buffer all = Buffer.buffer(text.toString());
    NetServer server = server(0, socket -> {
      // in pieces that split lines and characters, as TCP may
      for (int at = 0; at < all.length(); at += 1000) {
        socket.write(all.slice(at, Math.min(all.length(), at + 1000)));
      }
      socket.end();
    });
    Task task = new Task(new SocketTextSource("127.0.0.1", server.actualPort()).withMaxRetries(0));

    await("the input ends", () -> task.last == InputStatus.END_OF_INPUT || task.failure != null);

    assertThat(task.failure).isNull();
    assertThat(task.lines).isEqualTo(expected);
    assertThat(task.count("connects")).isEqualTo(1);
    task.close();
  }

  @Test
  void aServerRestartIsSurvivedByReconnecting() throws Exception {
    AtomicInteger connection = new AtomicInteger();
    List<NetSocket> open = new CopyOnWriteArrayList<>();
    Consumer<NetSocket> sendBatch = socket -> {
      int batch = connection.getAndIncrement();
      open.add(socket);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        b.append("batch ").append(batch).append(" line ").append(i).append('\n');
      }
      socket.write(b.toString());
    };
    NetServer first = server(0, sendBatch);
    int port = first.actualPort();
    Task task = new Task(new SocketTextSource("127.0.0.1", port).withReconnectDelay(Duration.ofMillis(50)));
    await("the first server's lines", () -> task.lines.size() == 1000);

    first.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (NetSocket s : open) {
      s.close();
    }
    await("the reader noticed the loss", () -> task.count("reconnects") >= 1);
    NetServer second = server(port, sendBatch); // the same port: a restarted server
    await("the restarted server's lines", () -> task.lines.size() == 2000);

    List<String> expected = new ArrayList<>();
    for (int batch = 0; batch < 2; batch++) {
      for (int i = 0; i < 1000; i++) {
        expected.add("batch " + batch + " line " + i);
      }
    }
    assertThat(task.lines).isEqualTo(expected);
    assertThat(task.count("connects")).isEqualTo(2);
    assertThat(task.last).as("an endless source waits for more").isEqualTo(InputStatus.NOTHING_AVAILABLE);
    task.close();
    second.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aTaskWithoutRoomPausesTheSocketAndTheServersWritesBackUp() throws Exception {
    int total = 600_000; // some 30 MB: more than the kernel's socket buffers can hold
    int maxBuffered = 100;
    AtomicBoolean waitingForDrain = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    NetServer server = server(0, socket -> {
      socket.setWriteQueueMaxSize(64 * 1024);
      new Object() {
        void pump() {
          waitingForDrain.set(false);
          while (written.get() < total) {
            if (socket.writeQueueFull()) {
              waitingForDrain.set(true);
              socket.drainHandler(v -> pump());
              return;
            }
            socket.write("line " + written.getAndIncrement() + " " + "y".repeat(40) + "\n");
          }
          socket.end();
        }
      }.pump();
    });
    Task task = new Task(new SocketTextSource("127.0.0.1", server.actualPort())
        .withMaxRetries(0).withMaxBufferedLines(maxBuffered));
    task.room(false); // the task's outputs are out of credit: it polls no more

    await("the reader paused the socket and the server waits to write",
        () -> task.count("pauses") >= 1 && waitingForDrain.get());

    // what reached the reader: its bound plus the rest of one read (64 KiB, under 1400 lines)
    assertThat(task.count("linesReceived")).isLessThanOrEqualTo(maxBuffered + 1400);
    assertThat(written.get()).as("lines the server could write").isLessThan(total);
    assertThat(task.lines).as("nothing emitted while the task has no room").isEmpty();

    task.room(true);
    await("the input ends", () -> task.last == InputStatus.END_OF_INPUT || task.failure != null);

    assertThat(task.failure).isNull();
    assertThat(task.lines).hasSize(total);
    for (int i = 0; i < total; i++) {
      if (!task.lines.get(i).equals("line " + i + " " + "y".repeat(40))) {
        throw new AssertionError("line " + i + " is '" + task.lines.get(i) + "'");
      }
    }
    assertThat(task.count("pauses")).as("paused again whenever the buffer filled").isGreaterThanOrEqualTo(1);
    task.close();
  }

  @Test
  void aLineLongerThanTheLimitFailsNamingTheServer() throws Exception {
    NetServer server = server(0, socket -> socket.write("short\n" + "z".repeat(5000) + "\n"));
    int port = server.actualPort();
    Task task = new Task(new SocketTextSource("127.0.0.1", port).withMaxRetries(0).withMaxLineBytes(1000));

    await("the reader fails", () -> task.failure != null);

    assertThat(task.failure).isInstanceOf(ConnectorException.class)
        .hasMessage("socket source 127.0.0.1:" + port + ": a line is longer than 1000 bytes (maxLineBytes)");
    assertThat(task.lines).containsExactly("short");
    task.close();
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> new SocketTextSource("127.0.0.1", 0))
        .hasMessageContaining("port must be between 1 and 65535, got 0");
    assertThatThrownBy(() -> new SocketTextSource("127.0.0.1", 9).withMaxRetries(-2))
        .hasMessageContaining("maxRetries");
    assertThatThrownBy(() -> new SocketTextSource("127.0.0.1", 9).withMaxBufferedLines(1))
        .hasMessageContaining("maxBufferedLines");
  }
}
