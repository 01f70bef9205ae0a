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
}
