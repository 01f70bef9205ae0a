package io.eddy.api.state;

import io.eddy.serde.Serde;

/** Describes a {@link ValueState}: a name and the value class or serde (see {@link StateDescriptor}). */
public final class ValueStateDescriptor<T> extends StateDescriptor<T> {
  public ValueStateDescriptor(String name, Class<T> type) {
    super(name, type, null);
  }

  public ValueStateDescriptor(String name, Serde<T> serde) {
    super(name, null, serde);
  }

  @Override
  public ValueStateDescriptor<T> enableTimeToLive(StateTtlConfig config) {
    super.enableTimeToLive(config);
    return this;
  }
}
