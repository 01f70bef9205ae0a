package io.eddy.runtime;

import io.eddy.api.BadRecordPolicy;
import io.eddy.api.OutputTag;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Hosts one operator on an event-loop context of a real Vert.x, as a task would: it records what
 * the operator emits (main output and the bad-record side output), whether it paused the input,
 * the finish work it registered, and the failure it raised. Tests drive the operator with
 * {@link #call}, which runs on that context.
 */
final class OperatorTestHost implements OperatorHost, AutoCloseable {
  private final TaskLoop loop = new TaskLoop(); // the event loop the operator runs on
  final Vertx vertx = loop.vertx;
  private final Context context = loop.context;
  private final TaskMetrics metrics = new TaskMetrics();
  private final SerdeRegistry serdes = SerdeRegistry.withBuiltIns();
  private final BadRecordPolicy policy;
  private volatile Thread loopThread;
  /** What reached the main output: "value@timestamp", "w<watermark>", "end". */
  final List<String> out = Collections.synchronizedList(new ArrayList<>());
  /** What reached the bad-record side output. */
  final List<Object> dead = Collections.synchronizedList(new ArrayList<>());
  final List<Future<?>> finishWork = Collections.synchronizedList(new ArrayList<>());
  volatile boolean paused;
  volatile int pauses;
  volatile Throwable failure;

  /** Set by a test to make the operator's output full; {@link #roomInOutput} resumes what yielded. */
  volatile boolean outputFull;
  final List<Runnable> yielded = Collections.synchronizedList(new ArrayList<>());

  @Override
  public boolean outputFull() {
    return outputFull;
  }

  @Override
  public void resumeWhenOutputHasRoom(Runnable resume) {
    yielded.add(resume);
  }

  @Override
  public TaskId id() {
    return new TaskId("test-0000", 0, 0, 0);
  }

  OperatorTestHost(BadRecordPolicy policy) throws Exception {
    this.policy = policy;
    call(() -> loopThread = Thread.currentThread());
  }

  /** Sets {@code op} up as the head of a chain whose main output and dead letters are recorded. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  <I, O> void setUp(StreamOperator<I, O> op, String name) {
    Map<String, Output<Object>> sides = new HashMap<>();
    sides.put(OutputTag.BAD_RECORDS.id(), recorder(dead, true));
    ((StreamOperator) op).setup(new OperatorContext(this, name, "test", sides), recorder(out, false));
  }

  private static Output<Object> recorder(List<?> into, boolean recordsOnly) {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) into;
    return new Output<>() {
      @Override
      public void collect(Object record, long timestamp) {
        list.add(recordsOnly ? record : record + "@" + timestamp);
      }

      @Override
      public void watermark(long watermark) {
        if (!recordsOnly) {
          list.add("w" + watermark);
        }
      }

      @Override
      public void endOfInput() {
        if (!recordsOnly) {
          list.add("end");
        }
      }
    };
  }

  /** Runs {@code action} on the host's event loop and returns its result. */
  <T> T call(Callable<T> action) throws Exception {
    return loop.call(action);
  }

  void run(ThrowingRunnable action) throws Exception {
    loop.run(action);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Waits until {@code condition} holds, checking on the event loop (so after what is queued there). */
  void await(String what, BooleanSupplier condition) throws Exception {
    loop.await(what, condition);
  }

  long metric(String name) {
    return metrics.get(name);
  }

  @Override
  public void close() throws Exception {
    loop.close();
  }

  // OperatorHost

  @Override
  public int subtaskIndex() {
    return 0;
  }

  @Override
  public int parallelism() {
    return 1;
  }

  @Override
  public int maxParallelism() {
    return 128;
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
  public io.eddy.config.JobConfig jobConfig() {
    return io.eddy.config.JobConfig.parse("{\"job\": \"test.Job\"}", "test");
  }

  @Override
  public SerdeRegistry serdes() {
    return serdes;
  }

  @Override
  public Path workDirectory() {
    throw new UnsupportedOperationException("no keyed state here");
  }

  @Override
  public boolean checkpointing() {
    return true;
  }

  @Override
  public BadRecordPolicy badRecordPolicy() {
    return policy;
  }

  @Override
  public long schedule(long time, Runnable action) {
    return vertx.setTimer(Math.max(1, time - System.currentTimeMillis()), t -> runOnTask(action));
  }

  @Override
  public long schedulePeriodic(long intervalMillis, Runnable action) {
    return vertx.setPeriodic(intervalMillis, t -> runOnTask(action));
  }

  @Override
  public void pauseInput() {
    if (!paused) {
      paused = true;
      pauses++;
    }
  }

  @Override
  public void resumeInput() {
    paused = false;
  }

  @Override
  public void runOnTask(Runnable action) {
    if (Thread.currentThread() != loopThread) {
      context.runOnContext(v -> runOnTask(action));
      return;
    }
    if (failure != null) {
      return; // a failed task runs nothing more
    }
    try {
      action.run();
    } catch (Throwable e) {
      failure = e;
    }
  }

  @Override
  public void awaitBeforeFinish(Future<?> work) {
    finishWork.add(work);
  }
}
