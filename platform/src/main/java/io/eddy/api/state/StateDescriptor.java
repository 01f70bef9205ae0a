package io.eddy.api.state;

import io.eddy.serde.Serde;
import java.util.Objects;

/**
 * Names a piece of state and how its values are serialized. The name is unique per operator and is
 * what a snapshot records, so renaming a state loses it on restore. The serde may be left out
 * ({@code null}) and is then resolved from the value class by the job's serde registry.
 */
public abstract class StateDescriptor<T> {
  private final String name;
  private final Class<T> type;
  private final Serde<T> serde;

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
}
