package io.eddy.runtime.operators;

import io.eddy.api.Counter;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.runtime.StreamOperator;
import io.vertx.core.Vertx;

/** Hands records to a sink connector's writer; the task finishes once the writer has finished. */
public final class SinkOperator<T> extends StreamOperator<T, Void> implements SinkContext {
  private final Sink<T> sink;
  private SinkWriter<T> writer;

  public SinkOperator(Sink<T> sink) {
    this.sink = sink;
  }

  @Override
  public void open() throws Exception {
    writer = sink.createWriter(this);
  }

  @Override
  public void collect(T record, long timestamp) {
    try {
      writer.write(record, timestamp);
    } catch (Exception e) {
      throw failure(e);
    }
  }

  @Override
  protected void onEndOfInput() {
    context.awaitBeforeFinish(writer.finish());
  }

  @Override
  public void close() throws Exception {
    if (writer != null) {
      writer.close();
    }
  }

  // SinkContext

  @Override
  public int subtaskIndex() {
    return context.subtaskIndex();
  }

  @Override
  public int parallelism() {
    return context.parallelism();
  }

  @Override
  public String operatorName() {
    return context.operatorName();
  }

  @Override
  public Vertx vertx() {
    return context.vertx();
  }

  @Override
  public Counter counter(String name) {
    return context.counter(name);
  }
}
