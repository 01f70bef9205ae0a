package io.eddy.api.state;

import io.eddy.serde.Serde;

/**
 * Describes a {@link MapState}: a name, the map-key class or serde and the value class or serde.
 * {@link #type()} and {@link #serde()} are those of the values; each serde left {@code null} is
 * resolved from its class as {@link StateDescriptor} explains. With the RocksDB backend the map-key
 * serde must be deterministic (equal keys, equal bytes).
 */
public final class MapStateDescriptor<K, V> extends StateDescriptor<V> {
  private final Class<K> keyType;
  private final Serde<K> keySerde;

  public MapStateDescriptor(String name, Class<K> keyType, Class<V> valueType) {
    super(name, valueType, null);
    this.keyType = keyType;
    this.keySerde = null;
  }

  public MapStateDescriptor(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    super(name, null, valueSerde);
    this.keyType = null;
    this.keySerde = keySerde;
  }

  /** The map-key class, or {@code null} when only a serde was given. */
  public Class<K> keyType() {
    return keyType;
  }

  /** The explicit map-key serde, or {@code null} to resolve one from {@link #keyType()}. */
  public Serde<K> keySerde() {
    return keySerde;
  }

  @Override
  public MapStateDescriptor<K, V> enableTimeToLive(StateTtlConfig config) {
    super.enableTimeToLive(config);
    return this;
  }
}
