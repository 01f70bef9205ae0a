package io.eddy.connectors.socket;

import io.eddy.api.Counter;
import io.eddy.connector.ConnectorException;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Lines of UTF-8 text read from a TCP server ({@code host:port}), the classic unbounded source of
 * streaming examples. A line ends with {@code \n} (a preceding {@code \r} is dropped); each line
 * is one {@code String} record without a timestamp.
 *
 * <p>One split: subtask 0 connects (a Vert.x {@code NetClient} on its task's event loop), any
 * other subtask reads nothing and ends at once. When the connection cannot be made or is lost,
 * the reader connects again after {@code reconnectDelay}; after {@code maxRetries} reconnects
 * ({@code -1}, the default: forever) a lost connection ends the input, so a job over a finite
 * stream can end. A last line without a line break is emitted when the connection closes.
 *
 * <p>Buffering is bounded: when {@code maxBufferedLines} lines wait in the reader (plus the rest of
 * the chunk the socket delivered last, at most 64 KiB) the socket is paused, so the server's
 * writes back up in TCP. That happens when the task has no room downstream: it stops polling. The
 * socket is resumed once the task has taken half of the lines. A line
 * longer than {@code maxLineBytes} fails the task with a message naming the server.
 *
 * <p>At-most-once: a socket cannot be rewound, so checkpoints record no position. Lines that were
 * read but not yet covered by a completed checkpoint when the job fails (in the reader's buffer,
 * in flight, or emitted after the last barrier) are lost; after a restore the reader connects
 * again and reads what the server sends from then on. Nothing is read twice.
 */
public final class SocketTextSource implements Source<String> {
  private final String host;
  private final int port;
  private final long reconnectDelayMillis;
  private final int maxRetries;
  private final int maxBufferedLines;
  private final int maxLineBytes;

  /** Reconnects every second, forever; buffers up to 1024 lines of up to 64 KiB. */
  public SocketTextSource(String host, int port) {
    this(host, port, 1000, -1, 1024, 64 * 1024);
  }

  private SocketTextSource(String host, int port, long reconnectDelayMillis, int maxRetries, int maxBufferedLines,
      int maxLineBytes) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("socket source: port must be between 1 and 65535, got " + port);
    }
    if (reconnectDelayMillis < 1) {
      throw new IllegalArgumentException("socket source: reconnect delay must be at least 1 ms, got " + reconnectDelayMillis);
    }
    if (maxRetries < -1) {
      throw new IllegalArgumentException("socket source: maxRetries must be -1 (forever) or more, got " + maxRetries);
    }
    if (maxBufferedLines < 2) {
      throw new IllegalArgumentException("socket source: maxBufferedLines must be at least 2, got " + maxBufferedLines);
    }
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("socket source: maxLineBytes must be at least 1, got " + maxLineBytes);
    }
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.reconnectDelayMillis = reconnectDelayMillis;
    this.maxRetries = maxRetries;
    this.maxBufferedLines = maxBufferedLines;
    this.maxLineBytes = maxLineBytes;
  }

  /** How long to wait before connecting again after a failed or lost connection (default 1 s). */
  public SocketTextSource withReconnectDelay(Duration delay) {
    return new SocketTextSource(host, port, delay.toMillis(), maxRetries, maxBufferedLines, maxLineBytes);
  }

  /** How many times to reconnect over the reader's life; -1 (default) forever, 0 never. */
  public SocketTextSource withMaxRetries(int retries) {
    return new SocketTextSource(host, port, reconnectDelayMillis, retries, maxBufferedLines, maxLineBytes);
  }

  /** The most lines the reader holds before it pauses the socket (default 1024). */
  public SocketTextSource withMaxBufferedLines(int lines) {
    return new SocketTextSource(host, port, reconnectDelayMillis, maxRetries, lines, maxLineBytes);
  }

  /** The longest line accepted, in bytes (default 64 KiB). */
  public SocketTextSource withMaxLineBytes(int bytes) {
    return new SocketTextSource(host, port, reconnectDelayMillis, maxRetries, maxBufferedLines, bytes);
  }

  /** The one split: the server's address. */
  public record Split(String host, int port) implements SourceSplit {
    public String id() {
      return "socket-" + host + ":" + port;
    }
  }

  @Override
  public List<Split> createSplits(int parallelism) {
    return List.of(new Split(host, port));
  }

  @Override
  public boolean isBounded() {
    return maxRetries >= 0;
  }

  @Override
  public SourceReader<String> createReader(SourceReaderContext context) {
    return new Reader(context);
  }

  /** Reads the socket of its split; everything on the task's event loop. */
  private final class Reader implements SourceReader<String> {
    private final SourceReaderContext context;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final Counter linesRead;
    private final Counter linesReceived;
    private final Counter connects;
    private final Counter reconnects;
    private final Counter pauses;
    private NetClient client;
    private NetSocket socket;
    private Buffer partial = Buffer.buffer();
    private boolean paused;
    private boolean assigned;
    private boolean ended; // retries used up: what is buffered is the rest of the input
    private boolean closed;
    private int retries;
    private long reconnectTimer = -1;
    private ConnectorException failure;

    Reader(SourceReaderContext context) {
      this.context = context;
      this.linesRead = context.counter("linesRead");
      this.linesReceived = context.counter("linesReceived");
      this.connects = context.counter("connects");
      this.reconnects = context.counter("reconnects");
      this.pauses = context.counter("pauses");
    }

    private String where() {
      return host + ":" + port;
    }

    @Override
    public void addSplits(List<SourceSplit> splits) {
      if (splits.isEmpty()) {
        return;
      }
      assigned = true;
      client = context.vertx().createNetClient(new NetClientOptions().setConnectTimeout(
          (int) Math.min(Integer.MAX_VALUE, Math.max(1000, reconnectDelayMillis))));
      connect();
    }

    /** Positions are never restored: the source is at-most-once (see the class comment). */
    @Override
    public void addSplits(List<SourceSplit> splits, Map<String, String> positions) {
      addSplits(splits);
    }

    @Override
    public Map<String, String> snapshotPositions() {
      return Map.of(); // a socket cannot be rewound: no position to record
    }

    private void connect() {
      reconnectTimer = -1;
      if (closed) {
        return;
      }
      client.connect(port, host).onComplete(ar -> {
        if (closed) {
          if (ar.succeeded()) {
            ar.result().close();
          }
          return;
        }
        if (ar.failed()) {
          lost();
          return;
        }
        connects.inc();
        socket = ar.result();
        partial = Buffer.buffer();
        socket.handler(this::onData);
        socket.exceptionHandler(e -> { }); // the close handler follows and reconnects
        socket.closeHandler(v -> {
          socket = null;
          paused = false;
          if (partial.length() > 0) {
            addLine(partial, partial.length()); // a last line without its line break
            partial = Buffer.buffer();
          }
          lost();
        });
        if (paused) {
          socket.pause();
        }
      });
    }

    /** The connection failed or closed: connect again after the delay, or end. */
    private void lost() {
      if (closed) {
        return;
      }
      if (maxRetries >= 0 && retries >= maxRetries) {
        ended = true;
        context.wakeUp();
        return;
      }
      retries++;
      reconnects.inc();
      reconnectTimer = context.vertx().setTimer(reconnectDelayMillis, t -> connect());
    }

    private void onData(Buffer data) {
      if (failure != null) {
        return;
      }
      int start = 0;
      for (int i = 0; i < data.length() && failure == null; i++) {
        if (data.getByte(i) == '\n') {
          if (partial.length() > 0) {
            partial.appendBuffer(data, start, i - start);
            addLine(partial, partial.length());
            partial = Buffer.buffer();
          } else {
            addLine(data.slice(start, i), i - start);
          }
          start = i + 1;
        }
      }
      if (failure == null && start < data.length()) {
        partial.appendBuffer(data, start, data.length() - start);
      }
      if (failure == null && partial.length() > maxLineBytes) {
        fail(new ConnectorException("socket source " + where() + ": a line is longer than " + maxLineBytes
            + " bytes (maxLineBytes)"));
      }
      if (lines.size() >= maxBufferedLines && !paused && socket != null) {
        paused = true;
        pauses.inc();
        socket.pause();
      }
      context.wakeUp();
    }

    private void addLine(Buffer bytes, int length) {
      if (length > maxLineBytes) {
        fail(new ConnectorException("socket source " + where() + ": a line is longer than " + maxLineBytes
            + " bytes (maxLineBytes)"));
        return;
      }
      if (length > 0 && bytes.getByte(length - 1) == '\r') {
        length--;
      }
      lines.add(new String(bytes.getBytes(0, length), StandardCharsets.UTF_8));
      linesReceived.inc();
    }

    private void fail(ConnectorException e) {
      if (failure == null) {
        failure = e;
        if (socket != null) {
          socket.close();
        }
        context.wakeUp(); // the next poll throws it
      }
    }

    @Override
    public InputStatus pollNext(SourceOutput<String> output, int maxRecords) {
      int n = 0;
      while (n < maxRecords && !lines.isEmpty()) {
        output.collect(lines.poll());
        n++;
      }
      linesRead.add(n);
      if (paused && lines.size() <= maxBufferedLines / 2) {
        paused = false;
        if (socket != null) {
          socket.resume();
        }
      }
      if (!lines.isEmpty()) {
        return InputStatus.MORE_AVAILABLE;
      }
      if (failure != null) {
        throw failure; // after the lines read before it
      }
      return !assigned || ended ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public void close() {
      closed = true;
      if (reconnectTimer >= 0) {
        context.vertx().cancelTimer(reconnectTimer);
      }
      if (socket != null) {
        socket.close();
      }
      if (client != null) {
        client.close();
      }
    }
  }
}
