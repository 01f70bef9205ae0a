package io.eddy.connector;

import io.eddy.api.Counter;
import io.vertx.core.Vertx;

/** What a sink writer may use of the task that runs it. */
public interface SinkContext {
  int subtaskIndex();

  int parallelism();

  String operatorName();

  Vertx vertx();

  Counter counter(String name);

  /** The job's checkpoint interval in milliseconds, or 0 when it takes no checkpoints. */
  default long checkpointIntervalMillis() {
    return 0;
  }

  /** The longest delay the job's restart strategy waits before a restart (0 for none). */
  default long maxRestartDelayMillis() {
    return 0;
  }
}
