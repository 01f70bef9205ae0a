package io.eddy.connector;

import io.eddy.api.Counter;
import io.vertx.core.Vertx;

/** What a reader may use of the task that runs it. */
public interface SourceReaderContext {
  int subtaskIndex();

  int parallelism();

  /** For worker threads ({@code executeBlocking}) and timers; never block its event loop. */
  Vertx vertx();

  /** Asks the task to poll again; callable from any thread. */
  void wakeUp();

  Counter counter(String name);

  /**
   * A record that cannot be read (it does not parse): applies the job's bad-record policy. Under
   * {@code fail} it throws a {@link ConnectorException} naming {@code where} (topic, partition and
   * offset; file and line) and the reason, which the reader lets propagate from
   * {@link SourceReader#pollNext}; under {@code skip} it counts the record in the source's
   * {@code badRecords} metric; under {@code deadLetter} it counts it and emits an
   * {@link io.eddy.api.BadRecord} (the raw bytes as text, and where and why) to the side output
   * {@link io.eddy.api.OutputTag#BAD_RECORDS}. Called on the task's event loop.
   */
  default void badRecord(String where, byte[] raw, String reason) {
    throw new ConnectorException(where + ": " + reason);
  }
}
