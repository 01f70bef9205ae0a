package io.eddy.api.state;

import io.eddy.serde.Serde;

/** Describes a {@link ListState}: a name and the element class or serde (see {@link StateDescriptor}). */
public final class ListStateDescriptor<T> extends StateDescriptor<T> {
  public ListStateDescriptor(String name, Class<T> elementType) {
    super(name, elementType, null);
  }

  public ListStateDescriptor(String name, Serde<T> elementSerde) {
    super(name, null, elementSerde);
  }

  @Override
  public ListStateDescriptor<T> enableTimeToLive(StateTtlConfig config) {
    super.enableTimeToLive(config);
    return this;
  }
}
