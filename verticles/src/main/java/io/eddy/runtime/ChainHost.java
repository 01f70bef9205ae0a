package io.eddy.runtime;

import io.eddy.api.BadRecordPolicy;
import io.eddy.config.JobConfig;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a task offers the operators of its chain ({@link OperatorHost}), and what the operators hold
 * back: the operators that paused the input, those that yielded because the output is full (each
 * with the continuation that resumes it), and the work the task must wait for before it finishes.
 * The task consults {@link #inputHeld} before taking input and calls {@link #resumeYielded} when
 * credit arrives.
 *
 * <p>Everything runs on the task's event loop, except {@link #runOnTask}, which may be called from any
 * thread and posts to the loop. Operators' timers and continuations run as turns of the task
 * ({@link Task#runAsTurn}): only while the task runs (timers) or is alive (continuations).
 */
final class ChainHost implements OperatorHost {
  /** What the host needs of its task. */
  interface Task {
    /** True while the task runs (not before {@code run}, not once its input ended). */
    boolean running();

    /** True while the task starts, runs or finishes: continuations of its operators still count. */
    boolean alive();

    /** Runs {@code action} as a turn: flushed as a turn is, a throw fails the task. */
    void runAsTurn(Runnable action);

    /** The input may be taken again: schedule a turn. */
    void inputResumed();
  }

  private final TaskId id;
  private final int parallelism;
  private final JobConfig config;
  private final TaskMetrics metrics;
  private final Vertx vertx;
  private final Context context;
  private final Thread eventLoop;
  private final SerdeRegistry serdes;
  private final OutputBacklog backlog;
  private final Task task;
  private final ArrayDeque<Runnable> yielded = new ArrayDeque<>(); // continuations of operators waiting for room
  private final List<Future<?>> finishWork = new ArrayList<>();
  private final boolean checkpointing;
  private final BadRecordPolicy badRecordPolicy;
  private int pausedOperators;

  ChainHost(TaskId id, int parallelism, JobConfig config, TaskMetrics metrics, Vertx vertx, Context context,
      SerdeRegistry serdes, OutputBacklog backlog, Task task) {
    this.id = id;
    this.parallelism = parallelism;
    this.config = config;
    this.metrics = metrics;
    this.vertx = vertx;
    this.context = context;
    this.eventLoop = Thread.currentThread();
    this.serdes = serdes;
    this.backlog = backlog;
    this.task = task;
    this.checkpointing = config.checkpoints() != null;
    this.badRecordPolicy = config.badRecords();
  }

  /** True when an operator paused the input, one yielded, or an output channel is full. */
  boolean inputHeld() {
    return pausedOperators > 0 || !yielded.isEmpty() || backlog.full();
  }

  /** True while an operator of the chain waits for room in the output to go on firing. */
  boolean yielding() {
    return !yielded.isEmpty();
  }

  /** Runs the operators that yielded, in order, while the output has room; true when none waits any more. */
  boolean resumeYielded() {
    while (!yielded.isEmpty() && !backlog.full() && task.alive()) {
      task.runAsTurn(yielded.poll()); // an operator that fills the output again yields again, behind the others
    }
    return yielded.isEmpty();
  }

  /**
   * Runs {@code then} once all finish work is done, including work added while waiting (an operator
   * that passes its end of input on only after its requests in flight completed makes the sinks after
   * it add theirs); a failed piece of work goes to {@code failed} instead.
   */
  void afterFinishWork(Runnable then, Consumer<Throwable> failed) {
    List<Future<?>> batch = new ArrayList<>(finishWork);
    Future.all(batch).onComplete(ar -> {
      if (ar.failed()) {
        failed.accept(ar.cause());
        return;
      }
      finishWork.removeAll(batch);
      if (finishWork.isEmpty()) {
        then.run();
      } else {
        afterFinishWork(then, failed);
      }
    });
  }

  /** True while some finish work is not done. */
  boolean finishWorkPending() {
    return !finishWork.isEmpty();
  }

  /** The task stopped: nothing that yielded resumes. */
  void clear() {
    yielded.clear();
  }

  @Override
  public TaskId id() {
    return id;
  }

  @Override
  public int subtaskIndex() {
    return id.subtask();
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public int maxParallelism() {
    return config.maxParallelism();
  }

  @Override
  public TaskMetrics metrics() {
    return metrics;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public JobConfig jobConfig() {
    return config;
  }

  @Override
  public SerdeRegistry serdes() {
    return serdes;
  }

  /** A local directory private to this task (RocksDB instances), deleted when it stops. */
  @Override
  public Path workDirectory() {
    return Path.of(System.getProperty("java.io.tmpdir"), "eddy",
        id.jobId() + "-" + id.attempt() + "-" + id.vertex() + "-" + id.subtask());
  }

  @Override
  public boolean checkpointing() {
    return checkpointing;
  }

  @Override
  public BadRecordPolicy badRecordPolicy() {
    return badRecordPolicy;
  }

  @Override
  public long schedule(long time, Runnable action) {
    return vertx.setTimer(Math.max(1, time - System.currentTimeMillis()), t -> runTimed(action));
  }

  @Override
  public long schedulePeriodic(long intervalMillis, Runnable action) {
    return vertx.setPeriodic(intervalMillis, t -> runTimed(action));
  }

  /** An operator's timer action: only while the task runs. */
  private void runTimed(Runnable action) {
    if (task.running()) {
      task.runAsTurn(action);
    }
  }

  @Override
  public void pauseInput() {
    pausedOperators++;
  }

  @Override
  public void resumeInput() {
    if (pausedOperators > 0 && --pausedOperators == 0) {
      task.inputResumed();
    }
  }

  @Override
  public boolean outputFull() {
    return backlog.full();
  }

  @Override
  public void resumeWhenOutputHasRoom(Runnable resume) {
    yielded.add(resume);
  }

  @Override
  public void runOnTask(Runnable action) {
    if (Thread.currentThread() == eventLoop) {
      runCallback(action);
    } else {
      context.runOnContext(v -> runCallback(action));
    }
  }

  /** An operator's continuation of asynchronous work: dropped once the task stopped. */
  private void runCallback(Runnable action) {
    if (task.alive()) {
      task.runAsTurn(action);
    }
  }

  @Override
  public void awaitBeforeFinish(Future<?> work) {
    finishWork.add(work);
  }
}
