package io.eddy.api.state;

import java.time.Duration;
import java.util.Objects;

/**
 * Time-to-live of keyed state, set with {@link StateDescriptor#enableTimeToLive}. Time is processing
 * time (the backend's clock, wall-clock milliseconds unless a test injects another).
 *
 * <p>Each value (each element of a {@link ListState}, each entry of a {@link MapState}) carries the
 * time it was last written, or last read or written with {@link UpdateType#ON_READ_AND_WRITE}. It is
 * expired once {@code ttl} has passed since then (at {@code stamp + ttl <= now}). Expired values are
 * never returned: a read of an expired value behaves as if it had been cleared. They are removed
 * when accessed and when snapshots are taken, so they do not accumulate in checkpoints.
 *
 * <p>Immutable and thread-safe.
 */
public final class StateTtlConfig {
  /** What refreshes a value's time-to-live. */
  public enum UpdateType {
    /** Creating or writing a value (update, add, put) restarts its time-to-live; reads do not. */
    ON_CREATE_AND_WRITE,
    /** Reads restart the time-to-live too. */
    ON_READ_AND_WRITE
  }

  private final Duration ttl;
  private final UpdateType updateType;

  private StateTtlConfig(Duration ttl, UpdateType updateType) {
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.updateType = Objects.requireNonNull(updateType, "updateType");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("state time-to-live must be positive, got " + ttl);
    }
    if (ttl.toMillis() <= 0) {
      throw new IllegalArgumentException("state time-to-live must be at least one millisecond, got " + ttl);
    }
  }

  /** Values expire {@code ttl} after they were created or last written. */
  public static StateTtlConfig of(Duration ttl) {
    return new StateTtlConfig(ttl, UpdateType.ON_CREATE_AND_WRITE);
  }

  public static StateTtlConfig of(Duration ttl, UpdateType updateType) {
    return new StateTtlConfig(ttl, updateType);
  }

  public Duration ttl() {
    return ttl;
  }

  /** The time-to-live in milliseconds (at least 1). */
  public long ttlMillis() {
    return ttl.toMillis();
  }

  public UpdateType updateType() {
    return updateType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateTtlConfig c && c.ttl.equals(ttl) && c.updateType == updateType;
  }

  @Override
  public int hashCode() {
    return ttl.hashCode() * 31 + updateType.hashCode();
  }

  @Override
  public String toString() {
    return "StateTtlConfig(" + ttl + ", " + updateType + ")";
  }
}
