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

  /**
   * Whether the writer can take more records now: null when it can; otherwise a future that
   * completes (on any thread) once it can again. Called on the task's event loop after every
   * {@link #write}. While a returned future is pending the task takes no more input, so the
   * writer's own queue of work handed to other threads stays bounded and the pressure reaches the
   * sources, as credit does between tasks. A writer that hands work to another thread and keeps
   * the future of it should answer here; one that writes synchronously keeps the default.
   */
  default io.vertx.core.Future<Void> backPressure() {
    return null;
  }

  Future<Void> finish();

  @Override
  default void close() throws Exception {}
}
