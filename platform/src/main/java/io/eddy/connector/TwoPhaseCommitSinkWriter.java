package io.eddy.connector;

import io.vertx.core.Future;
import java.util.List;

/**
 * A sink writer that makes its output visible exactly once with the job's checkpoints (two-phase
 * commit). At each checkpoint barrier {@link #preCommit} ends the current transaction (flushes it
 * durably, but invisibly) and names it by a committable string the checkpoint records; writing
 * goes on in a new transaction at once. When the checkpoint completes, {@link #commit} makes its
 * transactions visible. After a failure, the job restores its latest complete checkpoint and the
 * new writer gets the committables recorded there through {@link #commit} again: committing must
 * be idempotent (a transaction already committed is skipped), and transactions that were never
 * recorded are simply left invisible. At the end of a bounded input, {@link #finish} pre-commits
 * the last transaction like a barrier and returns its committables through
 * {@link #finalCommittables()}; they are committed when the job's final checkpoint completes.
 *
 * <p>All methods are called on the task's event-loop thread; the futures complete from worker
 * threads' work.
 */
public interface TwoPhaseCommitSinkWriter<T> extends SinkWriter<T> {
  /** Ends the current transaction at checkpoint {@code checkpointId}; the future gives its committable. */
  Future<String> preCommit(long checkpointId);

  /** Makes these transactions visible; idempotent. */
  Future<Void> commit(List<String> committables);

  /** The committables {@link #finish} produced (valid once its future has succeeded). */
  List<String> finalCommittables();

  /**
   * After a restore, deletes the transactions earlier attempts left open or pre-committed that
   * {@code keep} (every committable the restored checkpoint recorded, of all subtasks) does not
   * name: no checkpoint can commit them any more. Called once per restore, on one subtask only,
   * before it writes anything; it must leave alone every transaction of the current attempt
   * ({@link SinkContext#attemptId}), which other subtasks may be writing meanwhile. Not called for
   * a writer that takes every subtask's committables ({@link #committablesToEverySubtask}): it
   * cleans up itself, among the transactions it owns.
   */
  default Future<Void> discardAbandoned(java.util.Set<String> keep) {
    return Future.succeededFuture();
  }

  /**
   * True when, on restore, every subtask's writer should get the committables of all subtasks
   * (false, the default: each gets a share). A writer whose restore also cleans up (aborts what
   * no checkpoint recorded) needs the whole list, and decides itself which ones it commits, so
   * that no two writers act on the same transaction.
   */
  default boolean committablesToEverySubtask() {
    return false;
  }
}
