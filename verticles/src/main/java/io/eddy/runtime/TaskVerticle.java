package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.config.FrameSettings;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobEdge;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Partitioning;
import io.eddy.graph.Specs;
import io.eddy.graph.Transform;
import io.eddy.record.ControlElement;
import io.eddy.record.EndOfInput;
import io.eddy.record.Frame;
import io.eddy.record.FrameDecoder;
import io.eddy.record.Watermark;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One subtask of a job: the chain of one plan vertex, run on one event-loop context.
 *
 * <p>Life cycle: {@link #start} builds the job's graph anew (so the user functions are this
 * subtask's own), opens the operators, registers the task's addresses and, for a source, asks the
 * source for its splits on a worker thread. The coordinator then sends {@code run} once every task
 * of the job has started: the task grants its senders their initial credit and starts reading.
 * When all input has ended and everything downstream was sent, it reports {@code FINISHED} to the
 * coordinator; a failure reports {@code FAILED} with the error. The coordinator undeploys it.
 *
 * <p>Threading: everything happens on the task's event loop, in short turns: a turn processes a
 * few frames (or source batches) and then yields, and no turn starts while an output channel is
 * out of credit. Nothing here blocks.
 */
public final class TaskVerticle extends VerticleBase {
  private static final int FRAMES_PER_TURN = 8;
  private static final int SOURCE_BATCHES_PER_TURN = 8;
  private static final int SOURCE_BATCH = 1024;

  private final TaskId id;
  private final JobDefinition job;
  private final Predicate<TaskId> isLocal;
  private final TaskMetrics metrics = new TaskMetrics();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<StreamOperator<Object, Object>> operators = new ArrayList<>();
  private final List<Future<?>> finishWork = new ArrayList<>();

  private JobVertex vertex;
  private FrameSettings frames;
  private Output<Object> head;
  private ExchangeOutput exchange; // main output of the chain's tail, or null
  private final List<ExchangeOutput> exchanges = new ArrayList<>(); // main and side outputs
  private io.eddy.api.BadRecordPolicy badRecordPolicy;
  private RecordWriter[] writersByEdge;
  private InputGate gate;
  private FrameDecoder decoder;
  private final JsonObject restoreFrom;
  private JsonObject jobRaw;
  private io.eddy.checkpoint.CheckpointSettings checkpoints; // null: none
  private io.eddy.checkpoint.CheckpointStorage storage;
  private BarrierAligner aligner;
  private final List<String> uids = new ArrayList<>(); // of operators, in chain order
  private final List<OperatorContext> contexts = new ArrayList<>();
  private String sourceUid;
  private java.util.Map<String, String> restoredPositions = java.util.Map.of();
  private boolean ended; // all input ended and every output sent: waiting for the final checkpoint
  private io.eddy.serde.SerdeRegistry serdes;
  private SourceReader<Object> reader;
  private SourceSplits splits;
  private Output<Object> sourceBadRecords; // the source's dead-letter side output, or null
  private Counter sourceBadRecordCount;
  private Counter recordsIn;
  private Counter sourceRecordsRead; // over all attempts, more than the input once records were replayed
  private Counter framesIn;
  private long flushTimer = -1;
  private boolean turnScheduled;
  private boolean waitingForData;
  private boolean sourceStopped; // a stopping checkpoint was taken: the source reads no more
  private boolean inputPaused; // the chain's head operator has no room: take no input
  private Thread eventLoop; // the thread of this task's context
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

  int subtaskIndex() {
    return id.subtask();
  }

  int parallelism() {
    return vertex.parallelism();
  }

  int maxParallelism() {
    return job.config().maxParallelism();
  }

  Vertx vertx() {
    return vertx;
  }

  /** The vertex this task runs (available once started). */
  public JobVertex vertex() {
    return vertex;
  }

  @Override
  public Future<?> start() throws Exception {
    LiveTasks.add(this);
    eventLoop = Thread.currentThread();
    Future<?> started;
    try {
      started = open();
    } catch (Throwable e) {
      started = Future.failedFuture(e);
    }
    // Vert.x does not stop a verticle whose start failed: release what was opened here
    return started.onFailure(e -> stop());
  }

  private Future<?> open() throws Exception {
    EventBus bus = vertx.eventBus();
    FrameCodec.registerOn(bus);
    SplitAssignment.registerCodecOn(bus);
    frames = job.config().frame();
    jobRaw = job.config().raw();
    badRecordPolicy = io.eddy.api.BadRecordPolicy.parse(job.config().raw().getString("badRecords", "fail"));
    recordsIn = metrics.counter(TaskMetrics.RECORDS_IN);
    sourceRecordsRead = metrics.counter(TaskMetrics.SOURCE_RECORDS);
    framesIn = metrics.counter(TaskMetrics.FRAMES_IN);
    JobDefinition.Instance instance = job.instantiate();
    vertex = instance.plan().vertex(id.vertex());
    serdes = instance.pipeline().serdes();
    decoder = new FrameDecoder(serdes, job.job().getClass().getClassLoader());

    writersByEdge = new RecordWriter[instance.plan().edges().size()];
    List<RecordWriter> mainWriters = new ArrayList<>();
    for (JobEdge e : vertex.outputs()) {
      RecordWriter w = writerFor(e, instance);
      writersByEdge[e.id()] = w;
      if (e.sideTag() == null) {
        mainWriters.add(w);
      }
    }
    if (!mainWriters.isEmpty()) {
      exchange = new ExchangeOutput(mainWriters.toArray(new RecordWriter[0]), metrics);
      exchanges.add(exchange);
    }

    // Build the chain back to front so each operator knows its output.
    Output<Object> next = exchange != null ? exchange : DISCARD;
    List<Transform> chain = vertex.chain();
    int first = vertex.isSource() ? 1 : 0;
    for (int i = chain.size() - 1; i >= first; i--) {
      Transform t = chain.get(i);
      StreamOperator<Object, Object> op = OperatorFactory.create(t.spec(), job.config());
      OperatorContext ctx = new OperatorContext(host, t.name(), t.spec().kind(), sideOutputsOf(t));
      op.setup(ctx, next);
      operators.add(0, op);
      contexts.add(0, ctx);
      uids.add(0, uidOf(t));
      next = op;
    }
    head = next;
    if (vertex.isSource()) {
      sourceUid = uidOf(vertex.head());
      sourceBadRecords = sideOutputsOf(vertex.head()).get(io.eddy.api.OutputTag.BAD_RECORDS.id());
    }
    checkpoints = io.eddy.checkpoint.CheckpointSettings.of(job.config().raw());
    if (checkpoints != null) {
      storage = new io.eddy.checkpoint.CheckpointStorage(checkpoints.directory().resolve(job.config().name()));
    }

    if (!vertex.inputs().isEmpty()) {
      gate = new InputGate(bus, id, vertex.inputs(),
          instance.plan().edges().size(), frames.credits(), metrics);
      aligner = new BarrierAligner(gate);
      consumers.add(bus.<Object>consumer(id.dataAddress(), this::onFrame));
    }
    consumers.add(bus.<Buffer>consumer(id.creditAddress(), this::onCredit));
    consumers.add(bus.<Object>consumer(id.controlAddress(), this::onControl));

    List<Future<?>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    Future<?> restored = restoreFrom == null ? Future.succeededFuture() : restore();
    ready.add(restored.compose(v -> {
      try {
        for (StreamOperator<Object, Object> op : operators) {
          op.open();
        }
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
      return vertex.isSource() ? openSource(((Specs.SourceSpec) vertex.head().spec()).source()) : Future.succeededFuture();
    }));
    return Future.all(ready);
  }

  /** An operator's identity in checkpoints: its name and its position in the job's graph. */
  static String uidOf(Transform t) {
    return t.name() + "#" + t.id();
  }

  private int firstKeyGroup() {
    return io.eddy.state.KeyGroups.rangeStart(id.subtask(), maxParallelism(), vertex.parallelism());
  }

  private int lastKeyGroup() {
    return io.eddy.state.KeyGroups.rangeEnd(id.subtask(), maxParallelism(), vertex.parallelism());
  }

  /**
   * Reads this task's part of the checkpoint on a worker thread (key-group files, keyed backends),
   * then hands each operator its state on the event loop.
   */
  private Future<?> restore() {
    java.nio.file.Path root = restoreFrom.containsKey("root")
        ? java.nio.file.Path.of(restoreFrom.getString("root"))
        : storage.root();
    TaskRestore r = new TaskRestore(restoreFrom, root, id.subtask(), vertex.parallelism(), firstKeyGroup(), lastKeyGroup());
    // keyed backends exist only for operators that used keyed state when the checkpoint was taken
    List<io.eddy.state.KeyedStateBackend> backends = new ArrayList<>();
    for (int i = 0; i < operators.size(); i++) {
      backends.add(r.backendHandles(uids.get(i)).isEmpty() ? null : contexts.get(i).keyedStateBackend());
    }
    return vertx.executeBlocking(() -> {
      r.load(uids);
      for (int i = 0; i < uids.size(); i++) {
        if (backends.get(i) != null) {
          backends.get(i).restore(r.backendHandles(uids.get(i)), root);
        }
      }
      return null;
    }, false).compose(v -> {
      try {
        for (int i = 0; i < operators.size(); i++) {
          OperatorRestore restore = r.forOperator(uids.get(i));
          contexts.get(i).operatorStates().restore(restore);
          operators.get(i).restoreState(restore);
        }
        if (sourceUid != null) {
          java.util.Map<String, String> positions = new java.util.HashMap<>();
          for (byte[] entry : r.operatorState(sourceUid).getOrDefault("positions", List.of())) {
            String line = new String(entry, java.nio.charset.StandardCharsets.UTF_8);
            int tab = line.indexOf('\t');
            positions.put(line.substring(0, tab), line.substring(tab + 1));
          }
          restoredPositions = positions;
        }
        return Future.succeededFuture();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** One exchange per side-output tag of {@code t} that another vertex reads. */
  private java.util.Map<String, Output<Object>> sideOutputsOf(Transform t) {
    java.util.Map<String, List<RecordWriter>> byTag = new java.util.LinkedHashMap<>();
    for (JobEdge e : vertex.outputs()) {
      if (e.sideTag() != null && e.producer() == t) {
        byTag.computeIfAbsent(e.sideTag(), k -> new ArrayList<>()).add(writersByEdge[e.id()]);
      }
    }
    java.util.Map<String, Output<Object>> outputs = new java.util.HashMap<>();
    byTag.forEach((tag, writers) -> {
      ExchangeOutput x = new ExchangeOutput(writers.toArray(new RecordWriter[0]), metrics);
      exchanges.add(x);
      outputs.put(tag, x);
    });
    return outputs;
  }

  private RecordWriter writerFor(JobEdge e, JobDefinition.Instance instance) {
    int n = e.partitioning() == Partitioning.FORWARD ? 1 : e.target().parallelism();
    OutputChannel[] channels = new OutputChannel[n];
    for (int j = 0; j < n; j++) {
      int target = e.partitioning() == Partitioning.FORWARD ? id.subtask() : j;
      TaskId receiver = id.sibling(e.target().id(), target);
      boolean serialize = frames.serializeLocal() || !isLocal.test(receiver);
      channels[j] = new OutputChannel(vertx.eventBus(), receiver.dataAddress(), e.id(), id.subtask(),
          frames.maxRecords(), frames.maxBytes(), serialize ? instance.pipeline().serdes() : null, metrics);
    }
    return new RecordWriter(e, channels, maxParallelism(), id.subtask());
  }

  @SuppressWarnings("unchecked")
  private Future<?> openSource(Source<?> source) {
    int p = vertex.parallelism();
    if (source.enumeratesSplits()) {
      // the coordinator's enumerator sends the splits (SplitAssignment) once the job is deployed
      try {
        reader = (SourceReader<Object>) source.createReader(readerContext());
        splits = new SourceSplits(source, reader, vertex.head().name(), restoredPositions);
        return Future.succeededFuture();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> source.createSplits(p))
        .map(all -> {
          try {
            reader = (SourceReader<Object>) source.createReader(readerContext());
            splits = new SourceSplits(source, reader, vertex.head().name(), restoredPositions);
            splits.assignStatic(all, id.subtask(), p, restoreFrom != null);
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
  }

  // ---- commands from the coordinator

  private void onControl(Message<Object> message) {
    if (message.body() instanceof SplitAssignment a) {
      onSplits(a);
      return;
    }
    @SuppressWarnings("unchecked")
    Message<JsonObject> msg = (Message<JsonObject>) (Message<?>) message;
    String command = msg.body().getString("command");
    switch (command) {
      case "run" -> run();
      case "cancel" -> {
        // a task that already reported its end reported its counters with it; others send them here
        boolean reported = state == State.FINISHED || state == State.FAILED;
        cancel();
        JsonObject reply = new JsonObject().put("vertex", id.vertex()).put("subtask", id.subtask())
            .put("state", state.name());
        if (!reported) {
          reply.put("metrics", new JsonObject(new java.util.LinkedHashMap<>(metrics.snapshot())));
        }
        msg.reply(reply);
      }
      case "checkpoint" -> {
        triggerCheckpoint(msg.body().getLong("checkpoint"), msg.body().getLong("timestamp"));
        // a stopping checkpoint (rescale, node drain): the job is stopped right after it completes,
        // so a source that read on would only produce records the next attempt replays
        if (msg.body().getBoolean("stop", false) && reader != null && lastSnapshot >= msg.body().getLong("checkpoint")) {
          sourceStopped = true;
        }
      }
      case "complete" -> checkpointComplete(msg.body().getLong("checkpoint"));
      case "final" -> {
        finalCheckpoint = msg.body().getLong("checkpoint");
        triggerCheckpoint(finalCheckpoint, System.currentTimeMillis());
      }
      case "abort" -> { } // pending transactions stay pending; a later checkpoint covers them
      default -> msg.fail(400, "unknown command " + command);
    }
  }

  private void onSplits(SplitAssignment a) {
    if (splits == null || state == State.FAILED || state == State.CANCELED || state == State.FINISHED) {
      return;
    }
    try {
      splits.assigned(a);
    } catch (Throwable e) {
      fail(e);
      return;
    }
    if (waitingForData) {
      waitingForData = false;
      scheduleTurn();
    }
  }

  private void run() {
    if (state != State.CREATED) {
      return;
    }
    state = State.RUNNING;
    metrics.running(System.currentTimeMillis());
    if (gate != null) {
      gate.grantInitialCredits();
    }
    if (!exchanges.isEmpty() && frames.flushMillis() > 0) {
      flushTimer = vertx.setPeriodic(frames.flushMillis(), t -> {
        if (state == State.RUNNING || state == State.FINISHING) {
          flushAll();
        }
      });
    }
    scheduleTurn();
  }

  private void cancel() {
    if (state == State.FINISHED || state == State.FAILED) {
      return;
    }
    state = State.CANCELED;
    shutDown();
  }

  // ---- the work loop

  private void scheduleTurn() {
    if (!turnScheduled) {
      turnScheduled = true;
      context.runOnContext(v -> turn());
    }
  }

  private void turn() {
    turnScheduled = false;
    if (state != State.RUNNING) {
      return;
    }
    try {
      boolean more = reader != null ? pollSource() : processFrames();
      if (frames.flushMillis() == 0) {
        flushAll();
      }
      if (more && state == State.RUNNING && !inputPaused && !backPressured()) {
        scheduleTurn();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  private boolean backPressured() {
    for (int i = 0, n = exchanges.size(); i < n; i++) {
      if (exchanges.get(i).backPressured()) {
        return true;
      }
    }
    return false;
  }

  private void flushAll() {
    for (int i = 0, n = exchanges.size(); i < n; i++) {
      exchanges.get(i).flush();
    }
  }

  /** A local directory private to this task (RocksDB instances), deleted when it stops. */
  java.nio.file.Path workDirectory() {
    return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "eddy",
        id.jobId() + "-" + id.attempt() + "-" + id.vertex() + "-" + id.subtask());
  }

  private void resumeInput() {
    if (inputPaused) {
      inputPaused = false;
      if (state == State.RUNNING && !backPressured()) {
        scheduleTurn();
      }
    }
  }

  /** An operator's continuation of asynchronous work: see {@link OperatorContext#runOnTask}. */
  private void runOnTask(Runnable action) {
    if (Thread.currentThread() == eventLoop) {
      runCallback(action);
    } else {
      context.runOnContext(v -> runCallback(action));
    }
  }

  private void runCallback(Runnable action) {
    if (state != State.CREATED && state != State.RUNNING && state != State.FINISHING) {
      return; // stopped: what completes now belongs to no attempt
    }
    runAsTurn(action);
  }

  /** Runs {@code action} like a turn of input: flushed as a turn is, a failure fails the task. */
  private void runAsTurn(Runnable action) {
    try {
      action.run();
      if (frames.flushMillis() == 0) {
        flushAll();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  long schedulePeriodic(long intervalMillis, Runnable action) {
    return vertx.setPeriodic(intervalMillis, t -> runTimed(action));
  }

  /** Returns true when another turn should follow at once. */
  private boolean pollSource() throws Exception {
    if (sourceStopped) {
      flushAll(); // the barrier and everything before it must leave; nothing after it is read
      return false;
    }
    for (int i = 0; i < SOURCE_BATCHES_PER_TURN; i++) {
      long before = sourceRecords;
      SourceReader.InputStatus status = reader.pollNext(sourceOutput, SOURCE_BATCH);
      recordsIn.add(sourceRecords - before);
      sourceRecordsRead.add(sourceRecords - before);
      switch (status) {
        case END_OF_INPUT -> {
          endOfInput();
          return false;
        }
        case NOTHING_AVAILABLE -> {
          waitingForData = true;
          return false;
        }
        default -> {
          if (backPressured()) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private boolean processFrames() {
    for (int i = 0; i < FRAMES_PER_TURN; i++) {
      if (inputPaused) {
        return false; // resumeInput schedules the next turn
      }
      int ch = gate.nextReadyChannel();
      if (ch < 0) {
        return false;
      }
      Frame frame = gate.take(ch);
      if (!process(ch, frame)) {
        continue; // held at a barrier or paused: the rest of the frame waits, its credit too
      }
      gate.processed(ch);
      if (state != State.RUNNING || backPressured()) {
        return false;
      }
    }
    return gate.hasQueuedFrames();
  }

  /** Processes a frame from its read position; false when it stopped at a barrier and was put back. */
  private boolean process(int ch, Frame frame) {
    if (frame.position() == 0) {
      framesIn.inc();
    }
    int n = frame.size();
    int records = 0;
    Output<Object> h = head;
    for (int i = frame.position(); i < n; i++) {
      Object e = frame.element(i);
      if (e instanceof ControlElement) {
        if (e instanceof io.eddy.record.CheckpointBarrier b) {
          debug("barrier " + b.id() + " on channel " + ch);
          if (aligner.onBarrier(ch, b.id(), b.timestamp())) {
            metrics.alignment(aligner.alignmentNanos());
            aligner.reset();
            gate.unblockAll();
            takeSnapshot(b.id(), b.timestamp(), true);
          } else if (checkpoints == null || checkpoints.exactlyOnce()) {
            gate.block(ch);
            if (i + 1 < n) {
              frame.position(i + 1);
              gate.pushBack(ch, frame);
              recordsIn.add(records);
              return false;
            }
          }
        } else if (e instanceof Watermark w) {
          long wm = gate.onWatermark(ch, w.timestamp());
          if (wm != Long.MIN_VALUE) {
            metrics.inputWatermark(wm);
            h.watermark(wm);
          }
        } else if (e instanceof io.eddy.record.WatermarkStatus status) {
          boolean wasAllIdle = gate.allIdle();
          long wm = gate.onIdleness(ch, status == io.eddy.record.WatermarkStatus.IDLE);
          if (wm != Long.MIN_VALUE) {
            metrics.inputWatermark(wm);
            h.watermark(wm);
          }
          if (gate.allIdle() != wasAllIdle) {
            h.idleness(!wasAllIdle);
          }
        } else if (e == EndOfInput.INSTANCE) {
          debug("end of input on channel " + ch);
          boolean last = gate.onEndOfInput(ch);
          if (aligner.onChannelEnded()) {
            metrics.alignment(aligner.alignmentNanos());
            aligner.reset();
            gate.unblockAll();
            takeSnapshot(aligner.pendingId(), aligner.pendingTimestamp(), true);
          }
          if (last) {
            endOfInput();
          } else {
            long wm = gate.advanceAfterEnd();
            if (wm != Long.MIN_VALUE) {
              metrics.inputWatermark(wm);
              h.watermark(wm);
            }
          }
        }
      } else {
        records++;
        if (gate.activate(ch)) {
          h.idleness(false);
        }
        h.collect(e, frame.timestamp(i));
        if (inputPaused && i + 1 < n) {
          frame.position(i + 1);
          gate.pushBack(ch, frame);
          recordsIn.add(records);
          return false;
        }
      }
    }
    recordsIn.add(records);
    return true;
  }

  // ---- checkpoints

  /** A source's part: the coordinator triggers checkpoint {@code id} between two turns. */
  private void triggerCheckpoint(long id, long timestamp) {
    debug("trigger " + id);
    if (state != State.RUNNING && !ended) {
      return; // not running yet, failing, or finishing: asked again once ended
    }
    if (id <= lastSnapshot) {
      return; // already taken (a barrier came first)
    }
    takeSnapshot(id, timestamp, !ended);
  }

  /**
   * Snapshots every operator (and a source's positions) synchronously, forwards the barrier when
   * the task still runs, then writes the snapshot off the event loop and acknowledges it.
   */
  private void takeSnapshot(long checkpointId, long timestamp, boolean forwardBarrier) {
    debug("snapshot " + checkpointId + " forward=" + forwardBarrier);
    lastSnapshot = Math.max(lastSnapshot, checkpointId);
    try {
      TaskSnapshot snap = new TaskSnapshot(checkpointId, storage, id.vertex(), id.subtask(), firstKeyGroup(), lastKeyGroup());
      for (int i = 0; i < operators.size(); i++) {
        snap.add(uids.get(i), operators.get(i), contexts.get(i).operatorStates(), contexts.get(i).keyedStateBackendIfCreated());
      }
      if (reader != null) {
        OperatorSnapshot positions = new OperatorSnapshot(checkpointId);
        List<byte[]> entries = new ArrayList<>();
        reader.snapshotPositions(checkpointId).forEach((split, pos) ->
            entries.add((split + "\t" + pos).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        positions.operatorState("positions", entries, true);
        snap.add(sourceUid, positions);
      }
      if (forwardBarrier) {
        io.eddy.record.CheckpointBarrier barrier = new io.eddy.record.CheckpointBarrier(checkpointId, timestamp);
        for (ExchangeOutput x : exchanges) {
          x.barrier(barrier);
        }
      }
      snap.complete(vertx).onComplete(ar -> {
        if (ar.failed()) {
          fail(new IllegalStateException("checkpoint " + checkpointId + " failed: " + ar.cause(), ar.cause()));
          return;
        }
        metrics.checkpointed(TaskSnapshot.stateSizes(ar.result())); // before the gauges below read it
        JsonObject ack = new JsonObject()
            .put("vertex", id.vertex())
            .put("subtask", id.subtask())
            .put("state", "ACK")
            .put("checkpoint", checkpointId)
            .put("operators", ar.result())
            // the counters so far ride along, so the job's metrics are live to the last checkpoint
            .put("metrics", new JsonObject(new java.util.LinkedHashMap<>(metrics.snapshot())))
            // and the gauges as of now (back-pressure time, watermarks, alignment), per subtask
            .put("gauges", new JsonObject(new java.util.LinkedHashMap<>(metrics.gauges())));
        vertx.eventBus().send(id.coordinatorAddress(), ack);
      });
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void checkpointComplete(long checkpointId) {
    try {
      for (StreamOperator<Object, Object> op : operators) {
        op.notifyCheckpointComplete(checkpointId);
      }
      if (reader != null) {
        reader.notifyCheckpointComplete(checkpointId);
      }
    } catch (Throwable e) {
      fail(e);
      return;
    }
    if (ended && checkpointId == finalCheckpoint) {
      afterFinishWork(() -> {
        state = State.FINISHED;
        shutDown();
        report("FINISHED", null);
      });
    }
  }

  private long finalCheckpoint = -1;
  private long lastSnapshot = -1;
  private static final boolean DEBUG = Boolean.getBoolean("eddy.debug");

  private void debug(String what) {
    if (DEBUG) {
      System.err.println("[task " + id + " " + state + (ended ? " ended" : "") + "] " + what);
    }
  }

  private void onFrame(Message<Object> msg) {
    if (state == State.FAILED || state == State.CANCELED) {
      return;
    }
    try {
      Object body = msg.body();
      Frame frame;
      if (body instanceof Frame f) {
        frame = f;
      } else {
        Buffer b = (Buffer) body;
        byte[] bytes = b.getBytes();
        frame = decoder.decode(bytes, 0, bytes.length);
      }
      gate.receive(frame);
      if (state == State.RUNNING && !backPressured()) {
        scheduleTurn();
      }
    } catch (Throwable e) {
      fail(e);
    }
  }

  private void onCredit(Message<Buffer> msg) {
    Buffer b = msg.body();
    int edge = b.getInt(0);
    int receiver = b.getInt(4);
    RecordWriter w = writersByEdge == null ? null : writersByEdge[edge];
    if (w == null) {
      return;
    }
    OutputChannel[] channels = w.channels();
    OutputChannel c = channels.length == 1 ? channels[0] : channels[receiver];
    c.grant(b.getInt(8), b.getInt(12));
    if (state == State.RUNNING && !backPressured()) {
      scheduleTurn();
    } else if (state == State.FINISHING) {
      tryFinish();
    }
  }

  private void endOfInput() {
    head.watermark(Long.MAX_VALUE);
    head.endOfInput();
    if (sourceBadRecords != null) { // the source's own side output is outside the chain
      sourceBadRecords.watermark(Long.MAX_VALUE);
      sourceBadRecords.endOfInput();
    }
    state = State.FINISHING;
    flushAll();
    afterFinishWork(this::tryFinish);
  }

  /**
   * Runs {@code then} once all finish work is done, including work added while waiting (an
   * operator that passes its end of input on only after its requests in flight completed makes
   * the sinks after it add theirs).
   */
  private void afterFinishWork(Runnable then) {
    List<Future<?>> batch = new ArrayList<>(finishWork);
    Future.all(batch).onComplete(ar -> {
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      finishWork.removeAll(batch);
      if (finishWork.isEmpty()) {
        then.run();
      } else {
        afterFinishWork(then);
      }
    });
  }

  private void tryFinish() {
    if (state != State.FINISHING || ended || !finishWork.isEmpty()) {
      return;
    }
    if (backPressured()) {
      return; // the last frames wait for credit
    }
    if (checkpoints != null) {
      // Exactly once to the end: the final checkpoint records what the sinks pre-committed at
      // the end of input; they commit when it completes.
      ended = true;
      report("ENDED", null);
      return;
    }
    state = State.FINISHED;
    shutDown();
    report("FINISHED", null);
  }

  long schedule(long time, Runnable action) {
    long delay = Math.max(1, time - System.currentTimeMillis());
    return vertx.setTimer(delay, t -> runTimed(action));
  }

  /** An operator's timer action: only while running, flushed like a turn, failures fail the task. */
  private void runTimed(Runnable action) {
    if (state != State.RUNNING) {
      return;
    }
    runAsTurn(action);
  }

  private void fail(Throwable e) {
    if (state == State.FAILED || state == State.CANCELED || state == State.FINISHED) {
      return;
    }
    state = State.FAILED;
    shutDown();
    // their messages name the operator, or the connector and the data: the class name adds nothing
    String message = e instanceof OperatorException || e instanceof io.eddy.connector.ConnectorException
        ? e.getMessage() : String.valueOf(e);
    report("FAILED", message);
  }

  private void report(String taskState, String error) {
    debug("report " + taskState);
    JsonObject r = new JsonObject()
        .put("vertex", id.vertex())
        .put("subtask", id.subtask())
        .put("state", taskState)
        .put("metrics", new JsonObject(new java.util.LinkedHashMap<>(metrics.snapshot())));
    if (error != null) {
      r.put("error", error);
    }
    vertx.eventBus().send(id.coordinatorAddress(), r);
  }

  private boolean shutDown;

  /** Stops timers and closes operators and the reader; idempotent. */
  private void shutDown() {
    if (shutDown) {
      return;
    }
    shutDown = true;
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    for (StreamOperator<Object, Object> op : operators) {
      try {
        op.close();
      } catch (Throwable ignored) {
        // closing after a failure must not hide the failure
      }
    }
    for (OperatorContext c : contexts) {
      try {
        c.closeState();
      } catch (Throwable ignored) {
        // as above
      }
    }
    if (reader != null) {
      try {
        reader.close();
      } catch (Throwable ignored) {
        // as above
      }
    }
  }

  @Override
  public Future<?> stop() {
    shutDown();
    LiveTasks.remove(this);
    List<Future<?>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.all(done);
  }

  // ---- source plumbing

  private long sourceRecords; // counted in a plain field on the hot path, published per batch

  private final SourceOutput<Object> sourceOutput = new SourceOutput<>() {
    @Override
    public void collect(Object record) {
      sourceRecords++;
      head.collect(record, Frame.NO_TIMESTAMP);
    }

    @Override
    public void collect(Object record, long timestamp) {
      sourceRecords++;
      head.collect(record, timestamp);
    }

    @Override
    public void split(String splitId) {
      head.split(splitId, false);
    }

    @Override
    public void splitFinished(String splitId) {
      head.split(splitId, true);
    }
  };

  private SourceReaderContext readerContext() {
    return new SourceReaderContext() {
      @Override
      public int subtaskIndex() {
        return id.subtask();
      }

      @Override
      public int parallelism() {
        return vertex.parallelism();
      }

      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public void wakeUp() {
        context.runOnContext(v -> {
          if (waitingForData) {
            waitingForData = false;
            scheduleTurn();
          }
        });
      }

      @Override
      public Counter counter(String name) {
        return metrics.counter(vertex.head().name() + "." + name);
      }

      @Override
      public void badRecord(String where, byte[] raw, String reason) {
        if (badRecordPolicy == io.eddy.api.BadRecordPolicy.FAIL) {
          throw new io.eddy.connector.ConnectorException(where + ": " + reason);
        }
        if (sourceBadRecordCount == null) {
          sourceBadRecordCount = counter("badRecords");
        }
        sourceBadRecordCount.inc();
        if (badRecordPolicy == io.eddy.api.BadRecordPolicy.DEAD_LETTER && sourceBadRecords != null) {
          String text = raw == null ? "" : new String(raw, java.nio.charset.StandardCharsets.UTF_8);
          sourceBadRecords.collect(new io.eddy.api.BadRecord(vertex.head().name(), text, where + ": " + reason, raw),
              Frame.NO_TIMESTAMP);
        }
      }
    };
  }

  /** What the operators of this task's chain may use of it. */
  private final OperatorHost host = new OperatorHost() {
    @Override
    public TaskId id() {
      return id;
    }

    @Override
    public int subtaskIndex() {
      return TaskVerticle.this.subtaskIndex();
    }

    @Override
    public int parallelism() {
      return TaskVerticle.this.parallelism();
    }

    @Override
    public int maxParallelism() {
      return TaskVerticle.this.maxParallelism();
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
    public JsonObject jobConfigRaw() {
      return jobRaw;
    }

    @Override
    public io.eddy.serde.SerdeRegistry serdes() {
      return serdes;
    }

    @Override
    public java.nio.file.Path workDirectory() {
      return TaskVerticle.this.workDirectory();
    }

    @Override
    public boolean checkpointing() {
      return checkpoints != null;
    }

    @Override
    public io.eddy.api.BadRecordPolicy badRecordPolicy() {
      return badRecordPolicy;
    }

    @Override
    public long schedule(long time, Runnable action) {
      return TaskVerticle.this.schedule(time, action);
    }

    @Override
    public long schedulePeriodic(long intervalMillis, Runnable action) {
      return TaskVerticle.this.schedulePeriodic(intervalMillis, action);
    }

    @Override
    public void pauseInput() {
      inputPaused = true;
    }

    @Override
    public void resumeInput() {
      TaskVerticle.this.resumeInput();
    }

    @Override
    public void runOnTask(Runnable action) {
      TaskVerticle.this.runOnTask(action);
    }

    @Override
    public void awaitBeforeFinish(Future<?> work) {
      finishWork.add(work);
    }
  };

  private static final Output<Object> DISCARD = new Output<>() {
    @Override
    public void collect(Object record, long timestamp) {}

    @Override
    public void watermark(long watermark) {}

    @Override
    public void endOfInput() {}
  };
}
