package io.eddy.connectors.file;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Lines written on an event loop, bytes written on worker threads: lines collect in a buffer that
 * is handed, when full, to an ordered blocking task that writes it to the stream. At most one
 * write is in flight; a buffer that fills meanwhile waits in the queue of ordered tasks, and once
 * {@value #MAX_BUFFERS_IN_FLIGHT} wait, {@link #backPressure} holds the task's input back. Confined
 * to the owning task's event-loop thread (the stream itself only to the workers).
 *
 * <p>The blocking tasks are ordered on the context captured at creation, not on the caller's: a
 * caller outside any Vert.x thread (a test, a CLI) gets a new context on every
 * {@code vertx.executeBlocking}, and the open, writes and close would then race each other.
 */
public final class BufferedTextOutput {
  private static final int FLUSH_BYTES = 64 * 1024;
  /** Buffers handed to the workers and not yet written: bounded, see {@link #backPressure}. */
  static final int MAX_BUFFERS_IN_FLIGHT = 4;
  private final io.eddy.connector.WorkInFlight buffersInFlight = new io.eddy.connector.WorkInFlight(MAX_BUFFERS_IN_FLIGHT);
  private final Context context;
  private final Callable<OutputStream> opener;
  private final boolean closeStream;
  private StringBuilder buffer = new StringBuilder(FLUSH_BYTES + 1024);
  private Future<Void> last;
  private OutputStream stream; // opened and used on worker threads only

  public BufferedTextOutput(Vertx vertx, Callable<OutputStream> opener, boolean closeStream) {
    this.context = vertx.getOrCreateContext();
    this.opener = opener;
    this.closeStream = closeStream;
    this.last = context.executeBlocking(() -> {
      stream = opener.call();
      return null;
    }, true);
  }

  public void writeLine(String line) throws IOException {
    if (last.failed()) {
      throw new IOException(last.cause().getMessage(), last.cause());
    }
    buffer.append(line).append('\n');
    if (buffer.length() >= FLUSH_BYTES) {
      hand();
    }
  }

  private void hand() {
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
    buffer = new StringBuilder(FLUSH_BYTES + 1024);
    buffersInFlight.started();
    last = context.executeBlocking(() -> {
      stream.write(bytes);
      return null;
    }, true);
    last.onComplete(ar -> buffersInFlight.finished()); // on the owning context
  }

  /** Null while the writes handed over are few; else a future completing once they are fewer. */
  public Future<Void> backPressure() {
    return buffersInFlight.backPressure();
  }

  /** A sink writer that writes each record as one line formatted by {@code format}. */
  public <T> io.eddy.connector.SinkWriter<T> lineWriter(java.util.function.Function<T, String> format) {
    BufferedTextOutput out = this;
    return new io.eddy.connector.SinkWriter<>() {
      @Override
      public void write(T record, long timestamp) throws IOException {
        out.writeLine(format.apply(record));
      }

      @Override
      public Future<Void> backPressure() {
        return out.backPressure();
      }

      @Override
      public Future<Void> finish() {
        return out.finish();
      }
    };
  }

  /** Writes what is buffered, flushes (and closes, if owned) the stream. */
  public Future<Void> finish() {
    if (buffer.length() > 0) {
      hand();
    }
    last = context.executeBlocking(() -> {
      stream.flush();
      if (closeStream) {
        stream.close();
      }
      return null;
    }, true);
    return last;
  }
}
