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

  /**
   * Identifies the job's current attempt: the same for every subtask of one attempt, different for
   * every other attempt of any run. A transactional sink puts it into the names of what it writes,
   * to tell its own transactions from those a failed attempt abandoned.
   */
  default String attemptId() {
    return "0";
  }

  /** The job's checkpoint interval in milliseconds, or 0 when it takes no checkpoints. */
  default long checkpointIntervalMillis() {
    return 0;
  }

  /** The longest delay the job's restart strategy waits before a restart (0 for none). */
  default long maxRestartDelayMillis() {
    return 0;
  }
}
