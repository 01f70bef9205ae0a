package io.eddy.connectors.stdout;

import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.file.BufferedTextOutput;
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
    return new BufferedTextOutput(context.vertx(), () -> System.out, false).lineWriter(format);
  }
}
