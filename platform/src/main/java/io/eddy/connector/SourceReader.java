package io.eddy.connector;

import java.util.List;

/**
 * Reads the splits assigned to one subtask. Every method is called on the task's event-loop
 * thread and must not block: a reader whose data is not ready returns
 * {@link InputStatus#NOTHING_AVAILABLE} and later calls {@link SourceReaderContext#wakeUp()} (from
 * any thread) so that the task polls again. Blocking reads belong on worker threads
 * ({@code context.vertx().executeBlocking}).
 */
public interface SourceReader<T> extends AutoCloseable {

  /**
   * Hands the reader its splits before the first {@link #pollNext}. For a source with a
   * {@link SplitEnumerator} it is called again, through {@link #addSplits(List, java.util.Map)},
   * whenever the enumerator assigns more, between two polls; the reader then answers
   * {@link InputStatus#END_OF_INPUT} only after {@link #noMoreSplits()} and once every split is done.
   */
  void addSplits(List<SourceSplit> splits) throws Exception;

  /**
   * Emits at most {@code maxRecords} records into {@code output} and says whether more may come
   * right away. The task calls it again only when it has room downstream, so a reader never needs
   * to buffer more than one call's worth.
   */
  InputStatus pollNext(SourceOutput<T> output, int maxRecords) throws Exception;

  /**
   * The reading position of every assigned split (split id to a position the reader understands),
   * taken at a checkpoint barrier: everything before it has been emitted; a finished split maps to
   * {@code "done"}. Readers that cannot resume throw {@link UnsupportedOperationException}.
   */
  default java.util.Map<String, String> snapshotPositions() {
    throw new UnsupportedOperationException(getClass().getName() + " cannot take part in checkpoints");
  }

  /**
   * Hands the reader its splits with the positions a checkpoint recorded; a split without a
   * position starts from its beginning, a split recorded as finished ({@code "done"}) is skipped.
   */
  default void addSplits(List<SourceSplit> splits, java.util.Map<String, String> positions) throws Exception {
    if (!positions.isEmpty()) {
      throw new UnsupportedOperationException(getClass().getName() + " cannot resume from a checkpoint");
    }
    addSplits(splits);
  }

  /**
   * The reading position of every assigned split at checkpoint {@code checkpointId}; see
   * {@link #snapshotPositions()}, which the default delegates to. A reader that acts when the
   * checkpoint completes (commits offsets back to a broker) remembers them by this id.
   */
  default java.util.Map<String, String> snapshotPositions(long checkpointId) {
    return snapshotPositions();
  }

  /**
   * Checkpoint {@code checkpointId} is complete: positions taken for it are durable. For
   * monitoring and housekeeping only (nothing may depend on it for correctness: a completion
   * notice can be lost in a failure).
   */
  default void notifyCheckpointComplete(long checkpointId) throws Exception {}

  /** The enumerator will assign no more splits to this reader (sources with an enumerator). */
  default void noMoreSplits() {}

  @Override
  default void close() throws Exception {}

  /** What {@link #pollNext} found. */
  enum InputStatus {
    /** More records can be read at once. */
    MORE_AVAILABLE,
    /** Nothing now; the reader will call {@link SourceReaderContext#wakeUp()} when there is. */
    NOTHING_AVAILABLE,
    /** Every assigned split is exhausted. */
    END_OF_INPUT
  }
}
