package io.eddy.runtime;

import io.eddy.api.OutputTag;
import io.eddy.config.FrameSettings;
import io.eddy.config.JobConfig;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobEdge;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Partitioning;
import io.eddy.graph.Transform;
import io.eddy.record.CheckpointBarrier;
import io.eddy.state.KeyedStateBackend;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The operators of one subtask's chain and the exchange behind its last one: built back to front
 * so each operator knows its output, with one {@link ExchangeOutput} for the main output and one per
 * side-output tag that another vertex reads. A source's own operator is not part of the chain (the
 * {@link SourceDriver} feeds the {@link #head}); its dead-letter side output is, as
 * {@link #sourceBadRecords}.
 *
 * <p>The chain knows nothing of the task's life cycle: the task calls {@link #open}, feeds the head,
 * and calls {@link #close} once at the end, also after a failure. Every method runs on the task's
 * event-loop thread and none blocks.
 */
final class OperatorChain {
  private final List<StreamOperator<Object, Object>> operators = new ArrayList<>();
  private final List<OperatorContext> contexts = new ArrayList<>();
  private final List<String> uids = new ArrayList<>(); // of operators, in chain order
  private final List<ExchangeOutput> exchanges = new ArrayList<>(); // main and side outputs
  private final RecordWriter[] writersByEdge;
  private final OutputBacklog backlog;
  private final Output<Object> head;
  private final Output<Object> sourceBadRecords;

  /**
   * @param backlog the task's count of channels waiting for credit, which the channels keep up to date
   * @param host what the operators may use of their task
   * @param isLocal whether a subtask runs in this JVM (frames to it are handed over as objects
   *     unless the job forces serialization)
   */
  OperatorChain(TaskId id, JobVertex vertex, JobDefinition.Instance instance, JobConfig config, FrameSettings frames,
      Predicate<TaskId> isLocal, EventBus bus, TaskMetrics metrics, OutputBacklog backlog, OperatorHost host) {
    this.backlog = backlog;
    int maxParallelism = config.maxParallelism();
    writersByEdge = new RecordWriter[instance.plan().edges().size()];
    List<RecordWriter> mainWriters = new ArrayList<>();
    for (JobEdge e : vertex.outputs()) {
      RecordWriter w = writerFor(id, e, instance, frames, maxParallelism, isLocal, bus, metrics);
      writersByEdge[e.id()] = w;
      if (e.sideTag() == null) {
        mainWriters.add(w);
      }
    }
    Output<Object> next = DISCARD;
    if (!mainWriters.isEmpty()) {
      ExchangeOutput main = new ExchangeOutput(mainWriters.toArray(new RecordWriter[0]), metrics);
      exchanges.add(main);
      next = main;
    }
    List<Transform> chain = vertex.chain();
    int first = vertex.isSource() ? 1 : 0;
    for (int i = chain.size() - 1; i >= first; i--) {
      Transform t = chain.get(i);
      StreamOperator<Object, Object> op = OperatorFactory.create(t.spec(), config);
      OperatorContext ctx = new OperatorContext(host, t.name(), t.spec().kind(), sideOutputsOf(vertex, t, metrics));
      op.setup(ctx, next);
      operators.add(0, op);
      contexts.add(0, ctx);
      uids.add(0, uidOf(t));
      next = op;
    }
    head = next;
    sourceBadRecords = vertex.isSource()
        ? sideOutputsOf(vertex, vertex.head(), metrics).get(OutputTag.BAD_RECORDS.id())
        : null;
  }

  /** An operator's identity in checkpoints: its name and its position in the job's graph. */
  static String uidOf(Transform t) {
    return t.name() + "#" + t.id();
  }

  /** One exchange per side-output tag of {@code t} that another vertex reads. */
  private Map<String, Output<Object>> sideOutputsOf(JobVertex vertex, Transform t, TaskMetrics metrics) {
    Map<String, List<RecordWriter>> byTag = new LinkedHashMap<>();
    for (JobEdge e : vertex.outputs()) {
      if (e.sideTag() != null && e.producer() == t) {
        byTag.computeIfAbsent(e.sideTag(), k -> new ArrayList<>()).add(writersByEdge[e.id()]);
      }
    }
    Map<String, Output<Object>> outputs = new HashMap<>();
    byTag.forEach((tag, writers) -> {
      ExchangeOutput x = new ExchangeOutput(writers.toArray(new RecordWriter[0]), metrics);
      exchanges.add(x);
      outputs.put(tag, x);
    });
    return outputs;
  }

  private RecordWriter writerFor(TaskId id, JobEdge e, JobDefinition.Instance instance, FrameSettings frames,
      int maxParallelism, Predicate<TaskId> isLocal, EventBus bus, TaskMetrics metrics) {
    int n = e.partitioning() == Partitioning.FORWARD ? 1 : e.target().parallelism();
    OutputChannel[] channels = new OutputChannel[n];
    for (int j = 0; j < n; j++) {
      int target = e.partitioning() == Partitioning.FORWARD ? id.subtask() : j;
      TaskId receiver = id.sibling(e.target().id(), target);
      boolean serialize = frames.serializeLocal() || !isLocal.test(receiver);
      channels[j] = new OutputChannel(bus, receiver.dataAddress(), e.id(), id.subtask(),
          frames.maxRecords(), frames.maxBytes(), serialize ? instance.pipeline().serdes() : null, metrics, backlog);
    }
    return new RecordWriter(e, channels, maxParallelism, id.subtask());
  }

  /** Where the task's input (frames, or what the source reads) goes in. */
  Output<Object> head() {
    return head;
  }

  /** The source's dead-letter side output, which is outside the chain; null when none or not a source. */
  Output<Object> sourceBadRecords() {
    return sourceBadRecords;
  }

  /** Opens the operators, first to last, after any restore. */
  void open() throws Exception {
    for (StreamOperator<Object, Object> op : operators) {
      op.open();
    }
  }

  /** The checkpoint identities of the operators, in chain order. */
  List<String> uids() {
    return uids;
  }

  /**
   * The keyed backends to restore from {@code r}, in chain order: null for an operator that kept no
   * keyed state when the checkpoint was taken.
   */
  List<KeyedStateBackend> backendsToRestore(TaskRestore r) {
    List<KeyedStateBackend> backends = new ArrayList<>();
    for (int i = 0; i < operators.size(); i++) {
      backends.add(r.backendHandles(uids.get(i)).isEmpty() ? null : contexts.get(i).keyedStateBackend());
    }
    return backends;
  }

  /** Hands each operator its operator state from {@code r} (loaded already), before {@link #open}. */
  void restoreOperators(TaskRestore r) throws Exception {
    for (int i = 0; i < operators.size(); i++) {
      OperatorRestore restore = r.forOperator(uids.get(i));
      contexts.get(i).operatorStates().restore(restore);
      operators.get(i).restoreState(restore);
    }
  }

  /** Adds every operator's state to {@code snapshot}, synchronously. */
  void snapshotInto(TaskSnapshot snapshot) throws Exception {
    for (int i = 0; i < operators.size(); i++) {
      OperatorContext c = contexts.get(i);
      snapshot.add(uids.get(i), operators.get(i), c.operatorStates(), c.keyedStateBackendIfCreated());
    }
  }

  /** Sends {@code barrier} on every output channel, right away. */
  void broadcastBarrier(CheckpointBarrier barrier) {
    for (ExchangeOutput x : exchanges) {
      x.barrier(barrier);
    }
  }

  void notifyCheckpointComplete(long checkpointId) throws Exception {
    for (StreamOperator<Object, Object> op : operators) {
      op.notifyCheckpointComplete(checkpointId);
    }
  }

  /** All input ended: the final watermark, then the end of input, through the chain and the source's dead letters. */
  void endOfInput() {
    head.watermark(Long.MAX_VALUE);
    head.endOfInput();
    if (sourceBadRecords != null) {
      sourceBadRecords.watermark(Long.MAX_VALUE);
      sourceBadRecords.endOfInput();
    }
  }

  /** Whether the chain sends anything to other tasks (the flush timer is needed). */
  boolean hasExchanges() {
    return !exchanges.isEmpty();
  }

  /** Seals every partly filled frame. */
  void flush() {
    for (int i = 0, n = exchanges.size(); i < n; i++) {
      exchanges.get(i).flush();
    }
  }

  /** True while some output channel holds a frame it has no credit for: take no new input. */
  boolean backPressured() {
    return backlog.backlogged();
  }

  /** True while some output channel holds its maximum of frames: an emitting operator must yield. */
  boolean outputFull() {
    return backlog.full();
  }

  /** A credit message from a receiver: {@code edge, receiver, credits, acknowledged} as four ints. */
  void onCredit(Buffer b) {
    RecordWriter w = writersByEdge[b.getInt(0)];
    if (w == null) {
      return;
    }
    OutputChannel[] channels = w.channels();
    OutputChannel c = channels.length == 1 ? channels[0] : channels[b.getInt(4)];
    c.grant(b.getInt(8), b.getInt(12));
  }

  /** Closes the operators and releases their state; a failure here never hides the one that stopped the task. */
  void close() {
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
  }

  private static final Output<Object> DISCARD = new Output<>() {
    @Override
    public void collect(Object record, long timestamp) {}

    @Override
    public void watermark(long watermark) {}

    @Override
    public void endOfInput() {}
  };
}
