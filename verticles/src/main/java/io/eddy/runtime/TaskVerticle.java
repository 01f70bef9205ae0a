package io.eddy.runtime;

import io.eddy.checkpoint.CheckpointSettings;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.FrameSettings;
import io.eddy.config.JobConfig;
import io.eddy.connector.ConnectorException;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Specs;
import io.eddy.record.FrameDecoder;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.control.TaskReport;
import io.eddy.serde.SerdeRegistry;
import io.eddy.state.KeyGroups;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One subtask of a job, run on one event-loop context: its life cycle, and the turns in which its
 * parts work. The parts: the {@link OperatorChain} (operators and the exchange behind them), the
 * {@link InputProcessor} (frames from other tasks) or the {@link SourceDriver} (a source's reader),
 * and {@link SubtaskCheckpoints}.
 *
 * <p>Life cycle: {@link #start} builds the job's graph anew (so the user functions are this
 * subtask's own), restores a checkpoint if given one, opens the operators, registers the task's
 * addresses and opens a source. The coordinator sends {@link TaskCommand.Run} once every task of
 * the attempt has started: the task grants its senders their initial credit and starts reading.
 * When all input has ended and everything was sent, it reports {@link TaskReport.Ended} (the job
 * checkpoints: it finishes once the final checkpoint completes) or {@link TaskReport.Finished}; a
 * failure reports {@link TaskReport.Failed}. The coordinator undeploys it.
 *
 * <p>Threading: everything happens on the task's event loop, in short turns: a turn processes a few
 * frames (or source batches) and then yields. No input is taken while an output channel waits for
 * credit, an operator paused the input, or an operator yielded because its output is full; the
 * yielded operator resumes, as a turn, when credit arrives. Nothing here blocks.
 */
public final class TaskVerticle extends VerticleBase {
  private final TaskId id;
  private final JobDefinition job;
  private final Predicate<TaskId> isLocal;
  private final JsonObject restoreFrom;
  private final TaskMetrics metrics = new TaskMetrics();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  private JobVertex vertex;
  private FrameSettings frames;
  private CheckpointSettings checkpointSettings; // null: none
  private SerdeRegistry serdes;
  private ChainHost host;
  private OperatorChain chain;
  private InputProcessor input; // null for a source
  private SourceDriver source; // null unless a source
  private SubtaskCheckpoints checkpoints;
  private long flushTimer = -1;
  private long finalCheckpoint = -1;
  private boolean turnScheduled;
  private long stopSourceAt = -1; // a stopping checkpoint: the source reads nothing after its snapshot
  private boolean endPending; // all input ended while an operator yielded: the end follows it
  private boolean ended; // all input ended and every output sent: waiting for the final checkpoint
  private boolean shutDown;
  private Future<?> restoring = Future.succeededFuture(); // the restore at start, until it has ended
  private State state = State.CREATED;

  /** Where a task is in its life. */
  public enum State {
    CREATED, RUNNING, FINISHING, FINISHED, FAILED, CANCELED
  }

  /**
   * @param isLocal tells whether another subtask of the job runs in this JVM (frames to it are
   *     handed over as objects unless the job forces serialization)
   */
  public TaskVerticle(TaskId id, JobDefinition job, Predicate<TaskId> isLocal) {
    this(id, job, isLocal, null);
  }

  /**
   * @param restoreFrom the metadata of the completed checkpoint to restore this task's state from,
   *     or null to start empty
   */
  public TaskVerticle(TaskId id, JobDefinition job, Predicate<TaskId> isLocal, JsonObject restoreFrom) {
    this.id = id;
    this.job = job;
    this.isLocal = isLocal;
    this.restoreFrom = restoreFrom;
  }

  public TaskId id() {
    return id;
  }

  public TaskMetrics metrics() {
    return metrics;
  }

  /** @return the job this task is part of */
  public JobDefinition job() {
    return job;
  }

  public State state() {
    return state;
  }

  /** The vertex this task runs (available once started). */
  public JobVertex vertex() {
    return vertex;
  }

  @Override
  public Future<?> start() throws Exception {
    LiveTasks.add(this);
    Future<?> started;
    try {
      started = open();
    } catch (Throwable e) {
      started = Future.failedFuture(e);
    }
    // Vert.x does not stop a verticle whose start failed: release what was opened here
    return started.onFailure(e -> stop());
  }

  private Future<?> open() {
    EventBus bus = vertx.eventBus();
    FrameCodec.registerOn(bus);
    TaskMessage.registerCodecOn(bus);
    JobConfig config = job.config();
    frames = config.frame();
    checkpointSettings = config.checkpoints();
    JobDefinition.Instance instance = job.instantiate();
    vertex = instance.plan().vertex(id.vertex());
    serdes = instance.pipeline().serdes();
    OutputBacklog backlog = new OutputBacklog();
    host = new ChainHost(id, vertex.parallelism(), config, metrics, vertx, context, serdes, backlog, hostTask);
    chain = new OperatorChain(id, vertex, instance, config, frames, isLocal, bus, metrics, backlog, host);
    String sourceUid = vertex.isSource() ? OperatorChain.uidOf(vertex.head()) : null;
    CheckpointStorage storage = checkpointSettings == null ? null
        : new CheckpointStorage(checkpointSettings.directory().resolve(config.name()));
    int maxP = config.maxParallelism();
    checkpoints = new SubtaskCheckpoints(id, storage, KeyGroups.rangeStart(id.subtask(), maxP, vertex.parallelism()),
        KeyGroups.rangeEnd(id.subtask(), maxP, vertex.parallelism()), chain, sourceUid, vertx, checkpointsTask);
    if (!vertex.isSource()) {
      InputGate gate = new InputGate(bus, id, vertex.inputs(), instance.plan().edges().size(), frames.credits(), metrics);
      FrameDecoder decoder = new FrameDecoder(serdes, job.job().getClass().getClassLoader());
      boolean align = checkpointSettings == null || checkpointSettings.exactlyOnce();
      input = new InputProcessor(gate, decoder, chain.head(), align, metrics, inputTask);
      consumers.add(bus.<Object>consumer(id.dataAddress(), this::onFrame));
    }
    consumers.add(bus.<Buffer>consumer(id.creditAddress(), this::onCredit));
    consumers.add(bus.<TaskCommand>consumer(id.controlAddress(), this::onCommand));

    List<Future<?>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    Future<Map<String, String>> restored = restoreFrom == null
        ? Future.succeededFuture(Map.of())
        : checkpoints.restore(restoreFrom, vertex.parallelism());
    restoring = restored;
    ready.add(restored.compose(positions -> {
      try {
        chain.open();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
      if (!vertex.isSource()) {
        return Future.succeededFuture();
      }
      source = new SourceDriver(id, vertex.head().name(), ((Specs.SourceSpec) vertex.head().spec()).source(),
          chain.head(), chain.sourceBadRecords(), host.badRecordPolicy(), metrics, sourceTask);
      checkpoints.source(source);
      return source.open(vertx, context, vertex.parallelism(), positions, restoreFrom != null);
    }));
    return Future.all(ready);
  }

  // ---- commands from the coordinator

  private void onCommand(Message<TaskCommand> message) {
    TaskCommand command = message.body();
    try {
      if (command instanceof TaskCommand.AssignSplits a) {
        if (source != null && isAlive()) {
          source.assign(a);
        }
      } else if (command instanceof TaskCommand.Run) {
        run();
      } else if (command instanceof TaskCommand.Cancel) {
        // a task that already reported its end reported its counters with it; others send them here
        boolean reported = state == State.FINISHED || state == State.FAILED;
        cancel();
        message.reply(new TaskReport.Canceled(id.vertex(), id.subtask(), state.name(),
            reported ? Map.of() : metrics.snapshot()), TaskMessage.DELIVERY);
      } else if (command instanceof TaskCommand.TriggerCheckpoint t) {
        triggerCheckpoint(t.checkpointId(), t.timestamp());
        // a stopping checkpoint (rescale, node drain): the job is stopped right after it completes,
        // so a source that read on would only produce records the next attempt replays
        if (t.stop() && source != null) {
          stopSourceAt = t.checkpointId(); // at once, or once a deferred trigger is taken
          stopSourceIfSnapshotted();
        }
      } else if (command instanceof TaskCommand.TriggerFinalCheckpoint f) {
        finalCheckpoint = f.checkpointId();
        triggerCheckpoint(finalCheckpoint, System.currentTimeMillis());
      } else if (command instanceof TaskCommand.CheckpointComplete c) {
        checkpointComplete(c.checkpointId());
      }
      // CheckpointAborted: pending transactions stay pending; a later checkpoint covers them
    } catch (Throwable e) {
      fail(e);
    }
  }

  /** The chain finished firing, or the source handed on what it held: a trigger that waited is taken now. */
  private void takeDeferredCheckpoint() {
    checkpoints.chainResumed();
    stopSourceIfSnapshotted();
  }

  private void stopSourceIfSnapshotted() {
    if (stopSourceAt >= 0 && checkpoints.lastSnapshot() >= stopSourceAt) {
      source.stop();
      stopSourceAt = -1;
    }
  }

  private boolean isAlive() {
    return state == State.CREATED || state == State.RUNNING || state == State.FINISHING;
  }

  private void run() {
    if (state != State.CREATED) {
      return;
    }
    state = State.RUNNING;
    metrics.running(System.currentTimeMillis());
    if (input != null) {
      input.start();
    }
    if (chain.hasExchanges() && frames.flushMillis() > 0) {
      flushTimer = vertx.setPeriodic(frames.flushMillis(), t -> {
        if (state == State.RUNNING || state == State.FINISHING) {
          chain.flush();
        }
      });
    }
    scheduleTurn();
  }

  private void triggerCheckpoint(long checkpointId, long timestamp) {
    if (state != State.RUNNING && !ended) {
      return; // not running yet, failing, or finishing: asked again once ended
    }
    checkpoints.trigger(checkpointId, timestamp, !ended);
  }

  private void checkpointComplete(long checkpointId) throws Exception {
    checkpoints.complete(checkpointId);
    if (ended && checkpointId == finalCheckpoint) {
      host.afterFinishWork(() -> {
        state = State.FINISHED;
        shutDown();
        report(new TaskReport.Finished(id.vertex(), id.subtask(), metrics.snapshot()));
      }, this::fail);
    }
  }

  private void cancel() {
    if (state == State.FINISHED || state == State.FAILED) {
      return;
    }
    state = State.CANCELED;
    shutDown();
  }

  // ---- turns

  private void scheduleTurn() {
    if (!turnScheduled) {
      turnScheduled = true;
      context.runOnContext(v -> turn());
    }
  }

  private void turn() {
    turnScheduled = false;
    if (state != State.RUNNING || inputStopped() || chain.backPressured()) {
      return; // resuming input, credit or data schedule the next turn
    }
    try {
      boolean more = source != null ? source.poll(this::endOfInput) : input.processFrames();
      if (frames.flushMillis() == 0) {
        chain.flush();
      }
      if (more) {
        scheduleTurn();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  /** True when the chain takes no input now: not running, paused by an operator, or an operator yielded. */
  private boolean inputStopped() {
    return state != State.RUNNING || host.inputHeld();
  }

  private void onFrame(Message<Object> msg) {
    if (state == State.FAILED || state == State.CANCELED) {
      return;
    }
    try {
      input.receive(msg.body());
      if (state == State.RUNNING) {
        scheduleTurn();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void onCredit(Message<Buffer> msg) {
    chain.onCredit(msg.body());
    if (host.yielding() && host.resumeYielded() && isAlive()) {
      takeDeferredCheckpoint(); // a trigger that waited for the firing
      if (endPending) {
        endPending = false;
        endOfInput();
      }
    }
    if (state == State.RUNNING) {
      scheduleTurn();
    } else if (state == State.FINISHING) {
      tryFinish();
    }
  }

  private void endOfInput() {
    if (host.yielding()) {
      endPending = true; // the final watermark and the end follow what the yielded operators still fire
      return;
    }
    state = State.FINISHING;
    chain.endOfInput();
    chain.flush();
    host.afterFinishWork(this::tryFinish, this::fail);
  }

  private void tryFinish() {
    if (state != State.FINISHING || ended || host.finishWorkPending() || host.yielding() || chain.backPressured()) {
      return; // the last frames wait for credit, or an operator still fires
    }
    if (checkpointSettings != null) {
      // Exactly once to the end: the final checkpoint records what the sinks pre-committed at
      // the end of input; they commit when it completes.
      ended = true;
      report(new TaskReport.Ended(id.vertex(), id.subtask()));
      return;
    }
    state = State.FINISHED;
    shutDown();
    report(new TaskReport.Finished(id.vertex(), id.subtask(), metrics.snapshot()));
  }

  /** Runs {@code action} like a turn of input: flushed as a turn is, a failure fails the task. */
  private void runAsTurn(Runnable action) {
    try {
      action.run();
      if (frames.flushMillis() == 0) {
        chain.flush();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void fail(Throwable e) {
    if (state == State.FAILED || state == State.CANCELED || state == State.FINISHED) {
      return;
    }
    state = State.FAILED;
    shutDown();
    // their messages name the operator, or the connector and the data: the class name adds nothing
    String message = e instanceof OperatorException || e instanceof ConnectorException ? e.getMessage() : String.valueOf(e);
    report(new TaskReport.Failed(id.vertex(), id.subtask(), metrics.snapshot(), message));
  }

  private void report(TaskReport report) {
    vertx.eventBus().send(id.coordinatorAddress(), report, TaskMessage.DELIVERY);
  }

  /** Stops timers and closes operators and the reader; idempotent. */
  private void shutDown() {
    if (shutDown) {
      return;
    }
    if (!restoring.isComplete()) {
      restoring.onComplete(ignored -> shutDown()); // see stop: not under the restore's feet
      return;
    }
    shutDown = true;
    if (host != null) {
      host.clear();
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    if (chain != null) {
      chain.close();
    }
    if (source != null) {
      source.close();
    }
  }

  @Override
  public Future<?> stop() {
    if (!restoring.isComplete()) {
      // the restore writes into the state backends on a worker thread: closing them under it would free native
      // RocksDB memory in use (a crash, not an exception); close once it has ended
      return restoring.transform(ignored -> stop());
    }
    shutDown();
    LiveTasks.remove(this);
    List<Future<?>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.all(done);
  }

  // ---- what the parts and the operators may use of the task

  private final InputProcessor.Task inputTask = new InputProcessor.Task() {
    @Override
    public boolean inputStopped() {
      return TaskVerticle.this.inputStopped();
    }

    @Override
    public boolean backPressured() {
      return chain.backPressured();
    }

    @Override
    public void barrierAligned(long checkpointId, long timestamp) {
      checkpoints.barrierAligned(checkpointId, timestamp);
    }

    @Override
    public void inputEnded() {
      endOfInput();
    }
  };

  private final SourceDriver.Task sourceTask = new SourceDriver.Task() {
    @Override
    public boolean inputStopped() {
      return TaskVerticle.this.inputStopped();
    }

    @Override
    public boolean backPressured() {
      return chain.backPressured();
    }

    @Override
    public void dataAvailable() {
      if (state == State.RUNNING) {
        scheduleTurn();
      }
    }

    @Override
    public void heldReleased() {
      takeDeferredCheckpoint();
    }
  };

  private final SubtaskCheckpoints.Task checkpointsTask = new SubtaskCheckpoints.Task() {
    @Override
    public void acknowledge(long checkpointId, JsonObject stateHandles) {
      metrics.checkpointed(TaskSnapshot.stateSizes(stateHandles)); // before the gauges below read it
      report(new TaskReport.CheckpointAck(id.vertex(), id.subtask(), checkpointId, stateHandles,
          metrics.snapshot(), metrics.gauges()));
    }

    @Override
    public void fail(Throwable cause) {
      TaskVerticle.this.fail(cause);
    }

    @Override
    public boolean chainYielding() {
      // a source holding the rest of a batch has read past what reached the chain
      return host.yielding() || (source != null && source.holdsRecords());
    }
  };

  private final ChainHost.Task hostTask = new ChainHost.Task() {
    @Override
    public boolean running() {
      return state == State.RUNNING;
    }

    @Override
    public boolean alive() {
      return isAlive();
    }

    @Override
    public void runAsTurn(Runnable action) {
      TaskVerticle.this.runAsTurn(action);
    }

    @Override
    public void inputResumed() {
      if (state == State.RUNNING) {
        scheduleTurn();
      }
    }
  };
}
