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
   * True when, on restore, every subtask's writer should get the committables of all subtasks
   * (false, the default: each gets a share). A writer whose restore also cleans up (aborts what
   * no checkpoint recorded) needs the whole list, and decides itself which ones it commits, so
   * that no two writers act on the same transaction.
   */
  default boolean committablesToEverySubtask() {
    return false;
  }
}
