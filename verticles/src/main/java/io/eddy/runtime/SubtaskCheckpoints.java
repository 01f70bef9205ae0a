package io.eddy.runtime;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.record.CheckpointBarrier;
import io.eddy.state.KeyedStateBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One subtask's part of checkpoints: restoring its state from a completed checkpoint when it
 * starts, snapshotting its chain (and a source's split positions) when a barrier is aligned or the
 * coordinator triggers it, forwarding the barrier, writing the snapshot off the event loop, and
 * passing on the coordinator's word that a checkpoint completed.
 *
 * <p>A snapshot has a synchronous part, on the event loop, between two records (operators copy or
 * serialize their state; the barrier goes out right after, ahead of anything emitted later), and
 * an asynchronous part on a worker thread (files, RocksDB checkpoints, pending pre-commits), after
 * which the task acknowledges. A snapshot is never taken while an operator of the chain is in the
 * middle of firing (it yielded because its output was full), nor while a source holds the rest of a
 * batch its reader has already read past: a trigger that comes then is taken once the chain has
 * finished or the held records were handed on, as Flink's mailbox runs a trigger only between two
 * actions.
 *
 * <p>Threading: the task's event loop, except the asynchronous part; nothing blocks the loop.
 */
final class SubtaskCheckpoints {
  /** What checkpoints need of their task. */
  interface Task {
    /** The task's part of {@code checkpointId} is durable: acknowledge it with these state handles. */
    void acknowledge(long checkpointId, JsonObject stateHandles);

    /** A snapshot failed: the task fails. */
    void fail(Throwable cause);

    /**
     * True while an operator of the chain yielded in the middle of firing, or the source holds the
     * rest of a batch (its reader's positions are past records that have not reached the chain).
     */
    boolean chainYielding();
  }

  private final TaskId id;
  private final CheckpointStorage storage; // null: the job takes no checkpoints
  private final int firstKeyGroup;
  private final int lastKeyGroup;
  private final OperatorChain chain;
  private final String sourceUid; // the source's identity in checkpoints, or null
  private final Vertx vertx;
  private final Task task;
  private SourceDriver source;
  private long lastSnapshot = -1;
  private long deferredId = -1; // a trigger that came while the chain yielded
  private long deferredTimestamp;
  private boolean deferredForward;

  SubtaskCheckpoints(TaskId id, CheckpointStorage storage, int firstKeyGroup, int lastKeyGroup,
      OperatorChain chain, String sourceUid, Vertx vertx, Task task) {
    this.id = id;
    this.storage = storage;
    this.firstKeyGroup = firstKeyGroup;
    this.lastKeyGroup = lastKeyGroup;
    this.chain = chain;
    this.sourceUid = sourceUid;
    this.vertx = vertx;
    this.task = task;
  }

  /** The source whose positions go into snapshots, once it is open. */
  void source(SourceDriver source) {
    this.source = source;
  }

  /**
   * Restores the chain's state from {@code metadata} (a completed checkpoint's): files are read on a
   * worker thread, then each operator gets its state on the event loop, before it opens.
   *
   * @param parallelism of this subtask's vertex now (the checkpoint may have been taken at another)
   * @return the source's split positions in the checkpoint (of every old subtask), or empty
   */
  Future<Map<String, String>> restore(JsonObject metadata, int parallelism) {
    Path root = metadata.containsKey("root") ? Path.of(metadata.getString("root")) : storage.root();
    TaskRestore r = new TaskRestore(metadata, root, id.subtask(), parallelism, firstKeyGroup, lastKeyGroup);
    List<String> uids = chain.uids();
    List<KeyedStateBackend> backends = chain.backendsToRestore(r);
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
        chain.restoreOperators(r);
        return Future.succeededFuture(
            sourceUid == null ? Map.of() : SourceDriver.restorePositions(r.operatorState(sourceUid)));
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** The highest checkpoint this subtask has snapshotted. */
  long lastSnapshot() {
    return lastSnapshot;
  }

  /**
   * The coordinator triggers checkpoint {@code checkpointId} (a source, or a task whose input ended
   * and which no barrier reaches): taken now unless already taken through a barrier.
   *
   * @param forwardBarrier whether the barrier goes downstream (not once everything was sent)
   */
  void trigger(long checkpointId, long timestamp, boolean forwardBarrier) {
    if (checkpointId <= lastSnapshot) {
      return; // already taken (a barrier came first)
    }
    if (task.chainYielding()) {
      deferredId = Math.max(deferredId, checkpointId);
      deferredTimestamp = timestamp;
      deferredForward = forwardBarrier;
      return;
    }
    snapshot(checkpointId, timestamp, forwardBarrier);
  }

  /**
   * The chain finished firing what it yielded in, or the source handed on what it held: a trigger
   * that waited is taken now.
   */
  void chainResumed() {
    if (deferredId > lastSnapshot && !task.chainYielding()) {
      long checkpointId = deferredId;
      deferredId = -1;
      snapshot(checkpointId, deferredTimestamp, deferredForward);
    }
  }

  /** The barrier of {@code checkpointId} arrived on every input channel. */
  void barrierAligned(long checkpointId, long timestamp) {
    snapshot(checkpointId, timestamp, true);
  }

  /**
   * Snapshots every operator (and a source's positions) synchronously, forwards the barrier when
   * asked, then writes the snapshot off the event loop and acknowledges it.
   */
  private void snapshot(long checkpointId, long timestamp, boolean forwardBarrier) {
    lastSnapshot = Math.max(lastSnapshot, checkpointId);
    try {
      TaskSnapshot snap = new TaskSnapshot(checkpointId, storage, id.vertex(), id.subtask(), firstKeyGroup, lastKeyGroup);
      chain.snapshotInto(snap);
      if (source != null) {
        snap.add(sourceUid, source.snapshotPositions(checkpointId));
      }
      if (forwardBarrier) {
        chain.broadcastBarrier(new CheckpointBarrier(checkpointId, timestamp));
      }
      snap.complete(vertx).onComplete(ar -> {
        if (ar.failed()) {
          task.fail(new IllegalStateException("checkpoint " + checkpointId + " failed: " + ar.cause(), ar.cause()));
        } else {
          task.acknowledge(checkpointId, ar.result());
        }
      });
    } catch (Throwable e) {
      task.fail(e);
    }
  }

  /** Checkpoint {@code checkpointId} is complete: operators and the reader commit what it covers. */
  void complete(long checkpointId) throws Exception {
    chain.notifyCheckpointComplete(checkpointId);
    if (source != null) {
      source.notifyCheckpointComplete(checkpointId);
    }
  }
}
