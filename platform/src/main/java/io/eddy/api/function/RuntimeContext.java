package io.eddy.api.function;

import io.eddy.api.state.KeyedStateStore;
import io.eddy.api.Counter;

/**
 * What a running function may know about where it runs. Handed to {@link RichFunction#open}; valid
 * until {@link RichFunction#close}. All methods are for the task's event-loop thread only.
 */
public interface RuntimeContext {
  /** The name of the operator the function belongs to. */
  String operatorName();

  /** Index of this subtask, {@code 0 <= subtaskIndex < parallelism}. */
  int subtaskIndex();

  int parallelism();

  /** The number of key groups of the job (its maximum parallelism). */
  int maxParallelism();

  /** A named counter of this subtask, reported in the job's metrics and summed over subtasks. */
  Counter counter(String name);

  /**
   * The keyed state of this operator, scoped to the key of the record being processed.
   *
   * @throws IllegalStateException when the operator is not applied to a keyed stream
   */
  KeyedStateStore keyedState();

  /** The operator (non-keyed) state of this subtask, kept in checkpoints. */
  io.eddy.api.state.OperatorStateStore operatorState();

  /**
   * The Vert.x instance the task runs on, to create clients (web client, SQL, Redis) for an
   * {@link AsyncFunction}. Their callbacks run on the task's event loop when called from it.
   */
  io.vertx.core.Vertx vertx();
}
