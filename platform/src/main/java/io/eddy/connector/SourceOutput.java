package io.eddy.connector;

/** Where a {@link SourceReader} emits. Valid only during {@link SourceReader#pollNext}. */
public interface SourceOutput<T> {
  /** Emits a record without a timestamp. */
  void collect(T record);

  /** Emits a record with its event time in milliseconds since the epoch. */
  void collect(T record, long timestamp);

  /**
   * The records emitted next belong to split {@code splitId}. Watermarks are generated per split
   * and combined (the minimum over the splits still being read), so a reader that interleaves
   * several splits keeps event time right for each. Call it when switching splits; a reader with
   * one split at a time may call it once per split.
   */
  default void split(String splitId) {}

  /** Split {@code splitId} has no more records: it stops holding the watermark back. */
  default void splitFinished(String splitId) {}
}
