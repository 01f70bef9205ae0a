package io.eddy.connector;

/**
 * A destination of records: the service-provider interface every sink connector implements. One
 * writer is created per subtask, on that subtask's event-loop thread.
 */
public interface Sink<T> {
  SinkWriter<T> createWriter(SinkContext context) throws Exception;
}
