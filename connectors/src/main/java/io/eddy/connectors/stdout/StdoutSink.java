package io.eddy.connectors.stdout;

import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.file.BufferedTextOutput;
import io.vertx.core.Future;
import java.util.function.Function;

/** Prints each record as one line on standard output, buffered and written from worker threads. */
public final class StdoutSink<T> implements Sink<T> {
  private final Function<T, String> format;

  public StdoutSink() {
    this(String::valueOf);
  }

  public StdoutSink(Function<T, String> format) {
    this.format = format;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    BufferedTextOutput out = new BufferedTextOutput(context.vertx(), () -> System.out, false);
    return new SinkWriter<>() {
      @Override
      public void write(T record, long timestamp) throws Exception {
        out.writeLine(format.apply(record));
      }

      @Override
      public Future<Void> finish() {
        return out.finish();
      }
    };
  }
}
