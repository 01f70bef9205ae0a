package io.eddy.runtime.control;

import java.util.List;

/**
 * What a job's coordinator tells one subtask, on the task's control address. Commands to one task
 * arrive in the order they were sent, so split assignments are ordered with checkpoint triggers.
 */
public sealed interface TaskCommand extends TaskMessage {
  /** Every task of the attempt has started: grant credit to senders and start reading. */
  record Run() implements TaskCommand {}

  /** Stop now; the task answers with {@link TaskReport.Canceled}. */
  record Cancel() implements TaskCommand {}

  /**
   * A source (or a task whose input has ended, which no barrier reaches) takes checkpoint
   * {@code checkpointId} between two turns. {@code stop}: the job stops right after it (rescale,
   * hand-over), so a source reads nothing after its barrier.
   */
  record TriggerCheckpoint(long checkpointId, long timestamp, boolean stop) implements TaskCommand {}

  /** Every task has ended its input: take the final checkpoint, then finish once it completes. */
  record TriggerFinalCheckpoint(long checkpointId) implements TaskCommand {}

  /** Checkpoint {@code checkpointId} is complete and durable: commit what it pre-committed. */
  record CheckpointComplete(long checkpointId) implements TaskCommand {}

  /** Checkpoint {@code checkpointId} was aborted: what it pre-committed stays pending. */
  record CheckpointAborted(long checkpointId) implements TaskCommand {}

  /**
   * From a source's split enumerator on the coordinator to one reading subtask: splits to read,
   * serialized by the source, and whether more may follow.
   */
  record AssignSplits(List<String> splits, boolean noMoreSplits) implements TaskCommand {
    public AssignSplits {
      splits = List.copyOf(splits);
    }
  }
}
