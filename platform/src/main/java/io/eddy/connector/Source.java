package io.eddy.connector;

import java.util.List;

/**
 * A source of records: the service-provider interface every connector implements.
 *
 * <p>{@link #createSplits} divides the input; it runs on a worker thread (it may list files or ask
 * a broker) and must return the same splits in the same order on every node for the same input.
 * Subtask {@code i} of {@code p} reads the splits whose position in that list is {@code i} modulo
 * {@code p}. {@link #createReader} runs on the reading task's event-loop thread and must not block.
 * An input that cannot be read (a missing path, say) is reported by throwing a
 * {@link ConnectorException} from {@link #createSplits} whose message names it.
 */
public interface Source<T> {
  List<? extends SourceSplit> createSplits(int parallelism) throws Exception;

  SourceReader<T> createReader(SourceReaderContext context) throws Exception;

  /** True when the source ends by itself (a file); false for an endless one (a broker topic). */
  default boolean isBounded() {
    return true;
  }
}
