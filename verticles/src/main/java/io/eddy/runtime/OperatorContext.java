package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.KeyedStateStore;
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
  private final OperatorHost task;
  private final String operatorName;
  private final String kind;
  private final java.util.Map<String, Output<Object>> sideOutputs;
  private final java.util.List<Output<Object>> sideOutputList;
  private KeyedStateBackend keyedState;
  private boolean paused; // this operator holds the task's input back

  OperatorContext(OperatorHost task, String operatorName, String kind, java.util.Map<String, Output<Object>> sideOutputs) {
    this.task = task;
    this.operatorName = operatorName;
    this.kind = kind;
    this.sideOutputs = sideOutputs;
    this.sideOutputList = java.util.List.copyOf(sideOutputs.values());
  }

  /**
   * The side output with this tag id. A tag nobody reads gets an output that counts what it drops
   * in the metric {@code <operator>.sideOutputDropped.<tag>}, so nothing vanishes unseen.
   */
  public Output<Object> sideOutput(String tagId) {
    Output<Object> o = sideOutputs.get(tagId);
    if (o == null) {
      o = new CountingDiscard(counter("sideOutputDropped." + tagId));
      sideOutputs.put(tagId, o);
    }
    return o;
  }

  /** The side outputs that feed other tasks (for watermarks and end of input). */
  java.util.List<Output<Object>> sideOutputs() {
    return sideOutputList;
  }

  /** The job's serdes (for writing state into checkpoints). */
  public io.eddy.serde.SerdeRegistry serdes() {
    return task.serdes();
  }

  /** A serde that writes any value with its class, for state of unknown type. */
  @SuppressWarnings("unchecked")
  public io.eddy.serde.Serde<Object> anySerde() {
    return task.serdes().forClass(Object.class);
  }

  /** The key group of {@code key} in this job. */
  public int keyGroupOf(Object key) {
    return KeyGroups.keyGroupOf(key, maxParallelism());
  }

  /** The job's configuration, with typed settings (state backend, checkpoints, restart strategy, ...). */
  public io.eddy.config.JobConfig jobConfig() {
    return task.jobConfig();
  }

  /** True when the job takes checkpoints (sinks then commit with them). */
  public boolean checkpointing() {
    return task.checkpointing();
  }

  /** The bad-record policy of the job. */
  public io.eddy.api.BadRecordPolicy badRecordPolicy() {
    return task.badRecordPolicy();
  }

  /** Runs {@code action} on this task's event loop every {@code intervalMillis}; returns the timer id. */
  public long schedulePeriodic(long intervalMillis, Runnable action) {
    return task.schedulePeriodic(intervalMillis, action);
  }

  private static final class CountingDiscard implements Output<Object> {
    private final Counter dropped;

    CountingDiscard(Counter dropped) {
      this.dropped = dropped;
    }

    @Override
    public void collect(Object record, long timestamp) {
      dropped.inc();
    }

    @Override
    public void watermark(long watermark) {}

    @Override
    public void endOfInput() {}
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

  /** The job's attempt: its run's random job-id suffix and the attempt number (unique across runs). */
  public String attemptId() {
    String job = task.id().jobId();
    return job.substring(job.lastIndexOf('-') + 1) + "a" + task.id().attempt();
  }

  @Override
  public int maxParallelism() {
    return task.maxParallelism();
  }

  @Override
  public Counter counter(String name) {
    return task.metrics().counter(operatorName + "." + name);
  }

  /**
   * A high-water mark of this subtask (update it with {@link Counter#max}), reported as
   * {@code max.<operator>.<name>}: the job's metrics take the maximum over subtasks and attempts.
   */
  public Counter highWaterMark(String name) {
    return task.metrics().counter("max." + operatorName + "." + name);
  }

  @Override
  public Vertx vertx() {
    return task.vertx();
  }

  /** The keyed state backend of this operator, created on first use for this subtask's key groups. */
  public KeyedStateBackend keyedStateBackend() {
    if (keyedState == null) {
      int p = parallelism();
      int maxP = maxParallelism();
      int i = subtaskIndex();
      keyedState = io.eddy.state.StateBackends.create(task.jobConfig().state(), operatorName, maxP,
          KeyGroups.rangeStart(i, maxP, p), KeyGroups.rangeEnd(i, maxP, p), task.serdes(),
          task.workDirectory().resolve(operatorName.replaceAll("[^A-Za-z0-9_.-]", "_")), null);
    }
    return keyedState;
  }

  /** Releases the keyed state backend (native memory and files of RocksDB). */
  void closeState() {
    if (keyedState != null) {
      keyedState.close();
    }
  }

  private OperatorStates operatorStates;

  @Override
  public io.eddy.api.state.OperatorStateStore operatorState() {
    return operatorStates();
  }

  OperatorStates operatorStates() {
    if (operatorStates == null) {
      operatorStates = new OperatorStates(task.serdes());
    }
    return operatorStates;
  }

  /** The keyed state backend if this operator has used keyed state, else null. */
  io.eddy.state.KeyedStateBackend keyedStateBackendIfCreated() {
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

  /**
   * Stops the task from taking input after the input record being processed, until
   * {@link #resumeInput}: the operator has no room for more (its asynchronous requests are all in
   * flight, its sink writer's queue is full). Frames stay queued with their credit withheld, and a
   * source is not polled, so back-pressure reaches the senders. The task stops between two input
   * records: an operator later in a chain still receives what its predecessors emit for the record
   * being processed. Pausing before the task runs (while restoring) is allowed; pausing twice
   * counts once, and the task takes input again only once every paused operator has resumed.
   */
  public void pauseInput() {
    if (!paused) {
      paused = true;
      task.pauseInput();
    }
  }

  /** True while some output channel of the task holds its maximum of frames: see {@link StreamOperator#yieldIfOutputFull}. */
  boolean outputFull() {
    return task.outputFull();
  }

  /** Runs {@code resume} once the task's output has room; see {@link StreamOperator#yieldIfOutputFull}. */
  void resumeWhenOutputHasRoom(Runnable resume) {
    task.resumeWhenOutputHasRoom(resume);
  }

  /** The operator has room again: the task takes input from where it stopped, unless another operator is paused. */
  public void resumeInput() {
    if (paused) {
      paused = false;
      task.resumeInput();
    }
  }

  /**
   * Runs {@code action} on the task's event loop as the continuation of asynchronous work the
   * operator started (a request's result): at once when called on that event loop, else posted to
   * it. It runs while the task starts, runs or finishes (work may still complete after the input
   * ended) and is dropped once the task has stopped; a throw fails the task.
   */
  public void runOnTask(Runnable action) {
    task.runOnTask(action);
  }

  /** Runs {@code action} after {@code delayMillis} as {@link #runOnTask} would; returns the timer id. */
  public long setTimer(long delayMillis, Runnable action) {
    return task.vertx().setTimer(Math.max(1, delayMillis), t -> task.runOnTask(action));
  }

  /** The task reports itself finished only after {@code work} completes (successfully). */
  public void awaitBeforeFinish(Future<?> work) {
    task.awaitBeforeFinish(work);
  }
}
