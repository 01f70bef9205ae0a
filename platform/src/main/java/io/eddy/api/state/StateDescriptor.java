package io.eddy.api.state;

import io.eddy.serde.Serde;
import java.util.Objects;

/**
 * Names a piece of keyed state and how its values are serialized. The name is unique per operator
 * and is what a snapshot records, so renaming a state loses it on restore; asking for the same name
 * with another kind of state fails.
 *
 * <p>Serialization: pass either the value class or a serde. With a class (and no serde) the serde is
 * resolved by the job's {@link io.eddy.serde.SerdeRegistry}; {@code Object}, interfaces and abstract
 * classes get a dynamic serde that writes each value's class name (slower). With neither (a
 * {@code null} serde) the value type is treated as {@code Object}. A snapshot records the serde's
 * {@linkplain Serde#id() identity}; a restore with a serde of another identity is refused.
 *
 * <p>Time-to-live: {@link #enableTimeToLive} (before the state is first asked for) makes values
 * expire; see {@link StateTtlConfig}. Whether a state has a TTL is recorded in snapshots, and a
 * restore that changes it is refused.
 *
 * <p>Descriptors are plain values: build them on any thread, hand them to {@link KeyedStateStore}
 * on the task's event loop.
 */
public abstract class StateDescriptor<T> {
  private final String name;
  private final Class<T> type;
  private final Serde<T> serde;
  private StateTtlConfig ttlConfig;

  protected StateDescriptor(String name, Class<T> type, Serde<T> serde) {
    this.name = Objects.requireNonNull(name, "state name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("state name must not be blank");
    }
    this.type = type;
    this.serde = serde;
  }

  public String name() {
    return name;
  }

  /** The value class, or {@code null} when only a serde was given. */
  public Class<T> type() {
    return type;
  }

  /** The explicit serde, or {@code null} to resolve one from {@link #type()}. */
  public Serde<T> serde() {
    return serde;
  }

  /**
   * Makes the values of this state expire {@code config.ttl()} after they were written (or, with
   * {@link StateTtlConfig.UpdateType#ON_READ_AND_WRITE}, last read). Call before the state is first
   * asked for; later calls do not affect a state already created. {@code null} disables TTL.
   *
   * @return this descriptor
   */
  public StateDescriptor<T> enableTimeToLive(StateTtlConfig config) {
    this.ttlConfig = config;
    return this;
  }

  /** The time-to-live, or {@code null} when values never expire. */
  public StateTtlConfig ttlConfig() {
    return ttlConfig;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "('" + name + "')";
  }
}
