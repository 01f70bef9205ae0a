package io.eddy.state;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.ReduceFunction;
import io.eddy.api.state.AggregatingStateDescriptor;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.ReducingStateDescriptor;
import io.eddy.api.state.StateDescriptor;
import io.eddy.api.state.StateTtlConfig;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;

/** A registered state: its descriptor with the serdes resolved. Immutable. */
final class StateInfo {
  final String name;
  final StateKind kind;
  /** Serde of the stored value: the value, list element, map value or accumulator. */
  final Serde<Object> valueSerde;
  /** Serde of the map keys (map state only). */
  final Serde<Object> mapKeySerde;
  /** Null when values never expire. */
  final StateTtlConfig ttl;
  final long ttlMillis;
  final boolean refreshOnRead;
  final ReduceFunction<Object> reduceFunction;
  final AggregateFunction<Object, Object, Object> aggregateFunction;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private StateInfo(StateDescriptor<?> d, StateKind kind, SerdeRegistry registry) {
    this.name = d.name();
    // declaring a state (in an operator's open(), trusted code) lets its snapshots name its types
    if (d.type() != null) {
      registry.allow(d.type());
    }
    if (d instanceof MapStateDescriptor<?, ?> m && m.keyType() != null) {
      registry.allow(m.keyType());
    }
    this.kind = kind;
    this.valueSerde = resolve((Serde) d.serde(), d.type(), registry);
    if (d instanceof MapStateDescriptor<?, ?> m) {
      this.mapKeySerde = resolve((Serde) m.keySerde(), m.keyType(), registry);
    } else {
      this.mapKeySerde = null;
    }
    this.ttl = d.ttlConfig();
    this.ttlMillis = ttl == null ? 0 : ttl.ttlMillis();
    this.refreshOnRead = ttl != null && ttl.updateType() == StateTtlConfig.UpdateType.ON_READ_AND_WRITE;
    this.reduceFunction = d instanceof ReducingStateDescriptor<?> r ? (ReduceFunction) r.reduceFunction() : null;
    this.aggregateFunction =
        d instanceof AggregatingStateDescriptor<?, ?, ?> a ? (AggregateFunction) a.aggregateFunction() : null;
  }

  static StateInfo of(StateDescriptor<?> descriptor, StateKind kind, SerdeRegistry registry) {
    return new StateInfo(descriptor, kind, registry);
  }

  @SuppressWarnings("unchecked")
  private static Serde<Object> resolve(Serde<Object> serde, Class<?> type, SerdeRegistry registry) {
    if (serde != null) {
      return serde;
    }
    Class<?> c = type == null ? Object.class : type;
    return (Serde<Object>) registry.forClass(c);
  }

  boolean hasTtl() {
    return ttl != null;
  }

  /** Whether a value stamped at {@code stamp} has expired at {@code now}. */
  boolean expired(long stamp, long now) {
    return now - stamp >= ttlMillis;
  }

  /** The identity of what a snapshot stores per key: the value serde, or map-key and value serdes. */
  String valueSerdeId() {
    return kind == StateKind.MAP ? mapKeySerde.id() + "," + valueSerde.id() : valueSerde.id();
  }
}
