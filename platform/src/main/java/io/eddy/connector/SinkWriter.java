package io.eddy.connector;

import io.vertx.core.Future;

/**
 * Writes the records of one subtask. {@link #write} is called on the task's event-loop thread for
 * every record and must not block: buffer, and hand full buffers to a worker thread.
 * {@link #finish} is called once at the end of a bounded input; the task reports itself finished
 * only when the returned future succeeds, so everything written must be durable by then.
 * {@link #close} releases resources, also after a failure, and must not throw for a writer that was
 * never finished.
 */
public interface SinkWriter<T> extends AutoCloseable {
  void write(T record, long timestamp) throws Exception;

  Future<Void> finish();

  @Override
  default void close() throws Exception {}
}
