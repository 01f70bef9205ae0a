package io.eddy.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record the job could not process, as sent to {@link OutputTag#BAD_RECORDS} under the
 * dead-letter policy: the operator that rejected it, the record as text, why, and the raw bytes a
 * source read when the record did not parse (empty for a record that was already an object).
 */
public record BadRecord(String operator, String record, String reason, byte[] raw) {
  private static final byte[] NONE = new byte[0];

  public BadRecord {
    raw = raw == null ? NONE : raw;
  }

  /** A rejected record that was already an object: no raw bytes. */
  public BadRecord(String operator, String record, String reason) {
    this(operator, record, reason, NONE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BadRecord b && operator.equals(b.operator) && record.equals(b.record)
        && reason.equals(b.reason) && Arrays.equals(raw, b.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(operator, record, reason) * 31 + Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "BadRecord[operator=" + operator + ", record=" + record + ", reason=" + reason + ", raw=" + raw.length
        + " bytes]";
  }
}
