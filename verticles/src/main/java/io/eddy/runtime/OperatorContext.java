package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.KeyedStateStore;
import io.eddy.state.HeapKeyedStateBackend;
import io.eddy.state.KeyGroups;
import io.eddy.state.KeyedStateBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Everything an operator may use of its task: identity, metrics, keyed state, timers on the event
 * loop, and a way to hold the task's completion until asynchronous work (a sink's final flush) is
 * done. One per operator; confined to the task's event-loop thread.
 */
public final class OperatorContext implements RuntimeContext {
  private final TaskVerticle task;
  private final String operatorName;
  private final String kind;
  private KeyedStateBackend keyedState;

  OperatorContext(TaskVerticle task, String operatorName, String kind) {
    this.task = task;
    this.operatorName = operatorName;
    this.kind = kind;
  }

  @Override
  public String operatorName() {
    return operatorName;
  }

  public String kind() {
    return kind;
  }

  @Override
  public int subtaskIndex() {
    return task.subtaskIndex();
  }

  @Override
  public int parallelism() {
    return task.parallelism();
  }

  @Override
  public int maxParallelism() {
    return task.maxParallelism();
  }

  @Override
  public Counter counter(String name) {
    return task.metrics().counter(operatorName + "." + name);
  }

  public Vertx vertx() {
    return task.vertx();
  }

  /** The keyed state backend of this operator, created on first use for this subtask's key groups. */
  public KeyedStateBackend keyedStateBackend() {
    if (keyedState == null) {
      int p = parallelism();
      int maxP = maxParallelism();
      int i = subtaskIndex();
      keyedState = new HeapKeyedStateBackend(
          operatorName, maxP, KeyGroups.rangeStart(i, maxP, p), KeyGroups.rangeEnd(i, maxP, p));
    }
    return keyedState;
  }

  @Override
  public KeyedStateStore keyedState() {
    return keyedStateBackend();
  }

  /** Runs {@code action} on this task's event loop at wall-clock time {@code time}; returns a timer id. */
  public long schedule(long time, Runnable action) {
    return task.schedule(time, action);
  }

  public void cancelSchedule(long timerId) {
    task.vertx().cancelTimer(timerId);
  }

  /** The task reports itself finished only after {@code work} completes (successfully). */
  public void awaitBeforeFinish(Future<?> work) {
    task.awaitBeforeFinish(work);
  }
}
