package io.eddy.runtime.operators;

import io.eddy.api.Counter;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.eddy.runtime.OperatorRestore;
import io.eddy.runtime.OperatorSnapshot;
import io.eddy.runtime.StreamOperator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Hands records to a sink connector's writer; the task finishes once the writer has finished.
 *
 * <p>With a two-phase-commit writer in a job that takes checkpoints, every barrier pre-commits a
 * transaction; its committable stays pending (and in every checkpoint's operator state) until a
 * checkpoint at or after it completes, when it is committed. On restore, the committables the
 * checkpoint recorded are committed again (idempotently) before new writing starts. The end of
 * input pre-commits the last transaction, committed by the job's final checkpoint. Without
 * checkpoints the writer commits its transactions when it finishes.
 */
public final class SinkOperator<T> extends StreamOperator<T, Void> implements SinkContext {
  private static final String COMMITTABLES = "committables";
  /** The same committables as a union: on restore one subtask sees all, to discard what none names. */
  private static final String ALL_COMMITTABLES = "committables.all";
  private static final long AT_FINAL = Long.MAX_VALUE;

  private final Sink<T> sink;
  private SinkWriter<T> writer;
  private TwoPhaseCommitSinkWriter<T> transactional;
  private final List<Pending> pending = new ArrayList<>();
  private List<String> restored = List.of();
  private java.util.Set<String> restoredAll; // null unless restored
  private boolean writerFinished;
  private Counter pausedByWriter; // how often the writer held the task's input back

  /** A pre-committed transaction waiting for its checkpoint. */
  private record Pending(long checkpointId, String committable) {}

  public SinkOperator(Sink<T> sink) {
    this.sink = sink;
  }

  @Override
  public void restoreState(OperatorRestore restore) {
    List<String> c = new ArrayList<>();
    for (byte[] b : restore.operatorState(COMMITTABLES)) {
      c.add(new String(b, StandardCharsets.UTF_8));
    }
    restored = c;
    if (!restore.operatorStateNames().contains(ALL_COMMITTABLES)) {
      return; // a checkpoint of an older version: it does not say what every subtask keeps
    }
    java.util.Set<String> all = new java.util.HashSet<>();
    for (byte[] b : restore.operatorState(ALL_COMMITTABLES)) {
      all.add(new String(b, StandardCharsets.UTF_8));
    }
    restoredAll = all;
  }

  @Override
  public void open() throws Exception {
    pausedByWriter = context.counter("pausedByWriter");
    writer = sink.createWriter(this);
    if (writer instanceof TwoPhaseCommitSinkWriter<T> t) {
      transactional = t;
      if (!restored.isEmpty()) {
        context.awaitBeforeFinish(t.commit(restored));
      }
      if (restoredAll != null && context.subtaskIndex() == 0) {
        context.awaitBeforeFinish(t.discardAbandoned(restoredAll));
      }
    }
  }

  @Override
  public void collect(T record, long timestamp) {
    try {
      writer.write(record, timestamp);
    } catch (Exception e) {
      throw failure(e);
    }
    Future<Void> room = writer.backPressure();
    if (room != null) {
      // no more input until the writer has room: its queue stays bounded, and the pressure travels up
      context.pauseInput();
      pausedByWriter.inc();
      room.onComplete(ar -> context.runOnTask(context::resumeInput));
    }
  }

  @Override
  public void snapshotState(OperatorSnapshot snapshot) throws Exception {
    super.snapshotState(snapshot);
    if (transactional == null) {
      return;
    }
    long id = snapshot.checkpointId();
    boolean atEnd = false;
    List<byte[]> entries = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      if (p.checkpointId() == AT_FINAL) {
        // pre-committed at the end of input: it belongs to this (the final) checkpoint
        p = new Pending(id, p.committable());
        pending.set(i, p);
        atEnd = true;
      }
      entries.add(p.committable().getBytes(StandardCharsets.UTF_8));
    }
    boolean everySubtask = transactional.committablesToEverySubtask();
    snapshot.operatorState(COMMITTABLES, entries, everySubtask);
    if (!everySubtask) {
      snapshot.operatorState(ALL_COMMITTABLES, entries, true); // the same list: the pre-commit below adds to both
    }
    if (atEnd || writerFinished) {
      return;
    }
    snapshot.await(transactional.preCommit(id).onSuccess(c -> {
      pending.add(new Pending(id, c));
      entries.add(c.getBytes(StandardCharsets.UTF_8));
    }));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (transactional == null) {
      return;
    }
    List<String> due = new ArrayList<>();
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.checkpointId() <= checkpointId) {
        due.add(p.committable());
        it.remove();
      }
    }
    if (!due.isEmpty()) {
      context.awaitBeforeFinish(transactional.commit(due));
    }
  }

  @Override
  protected void onEndOfInput() {
    Future<Void> finished = writer.finish();
    writerFinished = true;
    if (transactional == null) {
      context.awaitBeforeFinish(finished);
      return;
    }
    if (context.checkpointing()) {
      context.awaitBeforeFinish(finished.onSuccess(v -> {
        for (String c : transactional.finalCommittables()) {
          pending.add(new Pending(AT_FINAL, c));
        }
      }));
    } else {
      context.awaitBeforeFinish(finished.compose(v -> transactional.commit(transactional.finalCommittables())));
    }
  }

  @Override
  public void close() throws Exception {
    if (writer != null) {
      writer.close();
    }
  }

  // SinkContext

  @Override
  public int subtaskIndex() {
    return context.subtaskIndex();
  }

  @Override
  public int parallelism() {
    return context.parallelism();
  }

  @Override
  public String attemptId() {
    return context.attemptId();
  }

  @Override
  public String operatorName() {
    return context.operatorName();
  }

  @Override
  public Vertx vertx() {
    return context.vertx();
  }

  @Override
  public Counter counter(String name) {
    return context.counter(name);
  }

  @Override
  public long checkpointIntervalMillis() {
    if (!context.checkpointing()) {
      return 0;
    }
    io.eddy.checkpoint.CheckpointSettings settings = context.jobConfig().checkpoints();
    return settings == null ? 0 : settings.intervalMillis();
  }

  @Override
  public long maxRestartDelayMillis() {
    return context.jobConfig().restartStrategy().maxDelayMillis();
  }
}
