package io.eddy.connector;

import java.util.List;

/**
 * Hands out a source's splits at run time, on the job's coordinator, for sources whose input
 * changes while the job runs (a topic that gains partitions). A source that has one returns it
 * from {@link Source#createEnumerator}; its readers then get their splits through
 * {@link SourceReader#addSplits(List, java.util.Map)}, possibly many times, instead of each
 * subtask computing them with {@link Source#createSplits}.
 *
 * <p>Life cycle: one enumerator per source per attempt of the job. It is created with the splits
 * the restored checkpoint says were handed out (empty on a fresh start); {@link #start} is called
 * once every reader of the attempt is deployed. It hands out splits with
 * {@link SplitEnumeratorContext#assignSplits} (the split's owner is its own choice, but the same
 * split never goes to two readers) and, when it never will again (a bounded source),
 * {@link SplitEnumeratorContext#signalNoMoreSplits}. Restored splits must be handed out again:
 * the readers of a new attempt start empty and resume each split from the position the
 * checkpoint recorded for it, which wins over any start position the split carries.
 * {@link #close} ends it when the attempt stops (failure, rescale, cancel, end).
 *
 * <p>Threading: every method is called on the coordinator's event loop and must not block. Work
 * that blocks or waits for a broker runs through {@code context.vertx()} (an asynchronous client,
 * or {@code executeBlocking}); its results come back on that same event loop, so state needs no
 * locks. An enumerator may not keep splits it has not handed out in its snapshot, and may not
 * assign after {@link #close}.
 */
public interface SplitEnumerator extends AutoCloseable {
  /** Starts handing out splits (and, for an endless source, discovering new ones). */
  void start();

  /**
   * The splits handed out so far, taken when checkpoint {@code checkpointId} is triggered (before
   * any reader sees its barrier, so every split listed reached its reader before the barrier). For
   * a stopping checkpoint (rescale, hand-over), whose readers read nothing after the barrier, it is
   * taken again once every subtask has acknowledged, and the enumerator is closed right after: the
   * splits handed out in between were never read, and the next attempt hands them out again.
   */
  List<SourceSplit> snapshotState(long checkpointId);

  /** Checkpoint {@code checkpointId} is complete. */
  default void notifyCheckpointComplete(long checkpointId) {}

  /** Stops timers and clients; called once, also after a failed start. Must not throw. */
  @Override
  void close();
}
