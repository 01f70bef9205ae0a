package io.eddy.runtime;

import io.eddy.api.BadRecordPolicy;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * What a task offers the operators of its chain, through their {@link OperatorContext}: identity,
 * metrics, settings, timers, input flow control and its completion. Implemented by
 * {@link TaskVerticle}; a test may host an operator on a Vert.x context of its own. Every method
 * is called on the task's event-loop thread, except {@link #runOnTask}, which may be called from
 * any thread; none blocks.
 */
interface OperatorHost {
  /** The subtask of the job's current attempt this task runs. */
  TaskId id();

  int subtaskIndex();

  int parallelism();

  int maxParallelism();

  TaskMetrics metrics();

  Vertx vertx();

  /** The job's configuration. */
  io.eddy.config.JobConfig jobConfig();

  SerdeRegistry serdes();

  /** A local directory private to the task (RocksDB instances). */
  Path workDirectory();

  boolean checkpointing();

  BadRecordPolicy badRecordPolicy();

  /** Runs {@code action} at wall-clock time {@code time} while the task runs; returns a Vert.x timer id. */
  long schedule(long time, Runnable action);

  /** Runs {@code action} every {@code intervalMillis} while the task runs; returns a Vert.x timer id. */
  long schedulePeriodic(long intervalMillis, Runnable action);

  /** One more operator holds the input back: see {@link OperatorContext#pauseInput}. */
  void pauseInput();

  /** One operator that held the input back no longer does. */
  void resumeInput();

  /** True while some output channel of the task holds its maximum of frames waiting for credit. */
  boolean outputFull();

  /**
   * An operator stopped emitting because the output is full: run {@code resume} (as a turn) once it
   * has room. Meanwhile the task takes no input and takes no snapshot.
   */
  void resumeWhenOutputHasRoom(Runnable resume);

  /** See {@link OperatorContext#runOnTask}. */
  void runOnTask(Runnable action);

  /** The task finishes only after {@code work} succeeded. */
  void awaitBeforeFinish(Future<?> work);
}
