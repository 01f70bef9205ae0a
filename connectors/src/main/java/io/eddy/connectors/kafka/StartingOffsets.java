package io.eddy.connectors.kafka;

import java.util.Map;
import java.util.Objects;

/**
 * Where a partition's reading starts when no checkpoint says (a checkpoint's position always
 * wins). Resolved once per partition by the enumerator when it first hands the partition out.
 */
public sealed interface StartingOffsets {
  /** The first offset still in the log. */
  static StartingOffsets earliest() {
    return new Earliest();
  }

  /** The end of the log when the partition is handed out: only records written later. */
  static StartingOffsets latest() {
    return new Latest();
  }

  /** The first record whose timestamp is at or after {@code epochMillis} (the end if none). */
  static StartingOffsets timestamp(long epochMillis) {
    return new Timestamp(epochMillis);
  }

  /** The consumer group's committed offset; {@code fallback} for a partition without one. */
  static StartingOffsets committed(StartingOffsets fallback) {
    if (fallback instanceof Committed || fallback instanceof Explicit) {
      throw new IllegalArgumentException("the fallback of committed offsets is earliest, latest or a timestamp");
    }
    return new Committed(fallback);
  }

  /**
   * Explicit offsets per partition (keys {@code "topic-partition"}); {@code fallback} for
   * partitions not listed (partitions found later, say).
   */
  static StartingOffsets offsets(Map<String, Long> offsets, StartingOffsets fallback) {
    if (fallback instanceof Committed || fallback instanceof Explicit) {
      throw new IllegalArgumentException("the fallback of explicit offsets is earliest, latest or a timestamp");
    }
    return new Explicit(Map.copyOf(offsets), fallback);
  }

  /** Parses {@code earliest}, {@code latest}, {@code timestamp:<millis>} or {@code committed[:earliest|latest]}. */
  static StartingOffsets parse(String s) {
    Objects.requireNonNull(s);
    if (s.equals("earliest")) {
      return earliest();
    }
    if (s.equals("latest")) {
      return latest();
    }
    if (s.startsWith("timestamp:")) {
      return timestamp(Long.parseLong(s.substring("timestamp:".length())));
    }
    if (s.equals("committed")) {
      return committed(earliest());
    }
    if (s.startsWith("committed:")) {
      return committed(parse(s.substring("committed:".length())));
    }
    throw new IllegalArgumentException("unknown starting offsets '" + s
        + "' (earliest, latest, timestamp:<millis>, committed, committed:earliest, committed:latest)");
  }

  record Earliest() implements StartingOffsets {}

  record Latest() implements StartingOffsets {}

  record Timestamp(long epochMillis) implements StartingOffsets {}

  record Committed(StartingOffsets fallback) implements StartingOffsets {}

  record Explicit(Map<String, Long> offsets, StartingOffsets fallback) implements StartingOffsets {}
}
