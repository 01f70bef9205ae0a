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
 *
 * <p>A source whose splits change while the job runs implements {@link #createEnumerator} instead:
 * then {@link #createSplits} is never called, an enumerator on the coordinator hands the splits
 * out, and they travel to the readers and into checkpoints as text ({@link #serializeSplit},
 * {@link #deserializeSplit}).
 */
public interface Source<T> {
  List<? extends SourceSplit> createSplits(int parallelism) throws Exception;

  SourceReader<T> createReader(SourceReaderContext context) throws Exception;

  /**
   * The enumerator of a source whose splits are handed out at run time, or null (the default)
   * when every subtask computes its splits with {@link #createSplits}. Called on the
   * coordinator's event loop; must not block.
   *
   * @param restored the splits the restored checkpoint's enumerator had handed out (empty on a
   *     fresh start)
   */
  default SplitEnumerator createEnumerator(SplitEnumeratorContext context, List<SourceSplit> restored) throws Exception {
    return null;
  }

  /** True when {@link #createEnumerator} gives an enumerator; then splits are serialized. */
  default boolean enumeratesSplits() {
    return false;
  }

  /** A split as text, for assignment messages and checkpoints (sources with an enumerator). */
  default String serializeSplit(SourceSplit split) {
    throw new UnsupportedOperationException(getClass().getName() + " has no split enumerator");
  }

  /** The inverse of {@link #serializeSplit}; text it did not write is an error. */
  default SourceSplit deserializeSplit(String text) {
    throw new UnsupportedOperationException(getClass().getName() + " has no split enumerator");
  }

  /**
   * The type of the records this source produces: what the job's first edge carries. The default reads the type
   * argument of {@code Source} from the class declaration ({@code implements Source<String>}); a generic source
   * ({@code Source<T>}) overrides it (from its elements, its format, a constructor argument). Null when unknown:
   * then the job must declare it with {@code .returns(...)} on the source's stream. Called while the job is built.
   */
  default java.lang.reflect.Type producedType() {
    return io.eddy.graph.TypeExtraction.fromClass(getClass(), Source.class, 0, getClass().getName()).type();
  }

  /** True when the source ends by itself (a file); false for an endless one (a broker topic). */
  default boolean isBounded() {
    return true;
  }
}
