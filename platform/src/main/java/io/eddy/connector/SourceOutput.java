package io.eddy.connector;

/** Where a {@link SourceReader} emits. Valid only during {@link SourceReader#pollNext}. */
public interface SourceOutput<T> {
  /** Emits a record without a timestamp. */
  void collect(T record);

  /** Emits a record with its event time in milliseconds since the epoch. */
  void collect(T record, long timestamp);
}
