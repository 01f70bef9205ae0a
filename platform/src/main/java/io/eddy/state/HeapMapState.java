package io.eddy.state;

import io.eddy.api.state.MapState;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A map state on the heap: the stored form of a key is a {@code HashMap} of its entries, each value a {@link TtlValue}
 * when the state has a TTL (expired entries are dropped when read or snapshotted).
 */
final class HeapMapState extends HeapState implements MapState<Object, Object> {
  HeapMapState(HeapKeyedStateBackend backend, StateInfo info) {
    super(backend, info);
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> map() {
    return (Map<Object, Object>) stored();
  }

  private Object requireMapKey(Object key) {
    if (key == null) {
      throw new NullPointerException("state '" + info.name + "': map state keys must not be null");
    }
    return key;
  }

  /** The stored form of {@code key}'s entry, null if absent or expired. */
  private Object lookup(Object key) {
    requireMapKey(key);
    Map<Object, Object> m = map();
    if (m == null) {
      return null;
    }
    if (!info.hasTtl()) {
      return m.containsKey(key) ? m.get(key) : null;
    }
    TtlValue t = (TtlValue) m.get(key);
    if (t == null) {
      return null;
    }
    long now = backend.clock.currentTimeMillis();
    if (info.expired(t.stamp, now)) {
      m.remove(key);
      if (m.isEmpty()) {
        removeStored();
      }
      return null;
    }
    if (info.refreshOnRead) {
      t.stamp = now;
    }
    return t;
  }

  @Override
  public Object get(Object key) {
    Object s = lookup(key);
    return s instanceof TtlValue t ? t.value : s;
  }

  @Override
  public boolean contains(Object key) {
    requireMapKey(key);
    if (!info.hasTtl()) {
      Map<Object, Object> m = map();
      return m != null && m.containsKey(key);
    }
    return lookup(key) != null;
  }

  @Override
  public void put(Object key, Object value) {
    requireMapKey(key);
    Map<Object, Object> m = map();
    if (m == null) {
      m = new HashMap<>();
      putStored(m);
    }
    m.put(key, wrap(value, now()));
  }

  @Override
  public void putAll(Map<Object, Object> map) {
    if (map == null || map.isEmpty()) {
      return;
    }
    for (Object k : map.keySet()) {
      requireMapKey(k);
    }
    Map<Object, Object> m = map();
    if (m == null) {
      m = new HashMap<>();
      putStored(m);
    }
    long now = now();
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      m.put(e.getKey(), wrap(e.getValue(), now));
    }
  }

  @Override
  public void remove(Object key) {
    requireMapKey(key);
    Map<Object, Object> m = map();
    if (m != null) {
      m.remove(key);
      if (m.isEmpty()) {
        removeStored();
      }
    }
  }

  /** A copy of the live entries, after dropping expired ones and refreshing the rest if configured. */
  private List<Map.Entry<Object, Object>> live() {
    Map<Object, Object> m = map();
    if (m == null) {
      return List.of();
    }
    List<Map.Entry<Object, Object>> out = new ArrayList<>(m.size());
    if (!info.hasTtl()) {
      for (Map.Entry<Object, Object> e : m.entrySet()) {
        out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
      }
      return out;
    }
    long now = backend.clock.currentTimeMillis();
    for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Object, Object> e = it.next();
      TtlValue t = (TtlValue) e.getValue();
      if (info.expired(t.stamp, now)) {
        it.remove();
        continue;
      }
      if (info.refreshOnRead) {
        t.stamp = now;
      }
      out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), t.value));
    }
    if (m.isEmpty()) {
      removeStored();
    }
    return out;
  }

  @Override
  public Iterable<Map.Entry<Object, Object>> entries() {
    return live();
  }

  @Override
  public Iterable<Object> keys() {
    List<Map.Entry<Object, Object>> es = live();
    List<Object> out = new ArrayList<>(es.size());
    es.forEach(e -> out.add(e.getKey()));
    return out;
  }

  @Override
  public Iterable<Object> values() {
    List<Map.Entry<Object, Object>> es = live();
    List<Object> out = new ArrayList<>(es.size());
    es.forEach(e -> out.add(e.getValue()));
    return out;
  }

  @Override
  public boolean isEmpty() {
    Map<Object, Object> m = map();
    if (m == null) {
      return true;
    }
    if (info.hasTtl()) {
      long now = backend.clock.currentTimeMillis();
      m.values().removeIf(o -> info.expired(((TtlValue) o).stamp, now));
      if (m.isEmpty()) {
        removeStored();
      }
    }
    return m.isEmpty();
  }

  @Override
  public void clear() {
    removeStored();
  }

  @Override
  @SuppressWarnings("unchecked")
  boolean prune(Object stored, long now) {
    Map<Object, Object> m = (Map<Object, Object>) stored;
    m.values().removeIf(o -> info.expired(((TtlValue) o).stamp, now));
    return !m.isEmpty();
  }

  @Override
  int size(Object stored) {
    return ((Map<?, ?>) stored).size();
  }

  @Override
  void writeBody(Object stored, DataWriter out) {
    Map<?, ?> m = (Map<?, ?>) stored;
    out.writeVarInt(m.size());
    for (Map.Entry<?, ?> e : m.entrySet()) {
      info.mapKeySerde.write(e.getKey(), out);
      Object v = e.getValue();
      if (info.hasTtl()) {
        TtlValue t = (TtlValue) v;
        out.writeLong(t.stamp);
        v = t.value;
      }
      if (v == null) {
        out.writeByte(0);
      } else {
        out.writeByte(1);
        info.valueSerde.write(v, out);
      }
    }
  }

  @Override
  Object readBody(DataReader in) {
    int n = in.readVarInt();
    Map<Object, Object> m = new HashMap<>(Math.max(4, n * 4 / 3 + 1));
    for (int i = 0; i < n; i++) {
      Object k = info.mapKeySerde.read(in);
      long stamp = info.hasTtl() ? in.readLong() : 0L;
      Object v = in.readBoolean() ? info.valueSerde.read(in) : null;
      m.put(k, info.hasTtl() ? new TtlValue(v, stamp) : v);
    }
    return m;
  }
}
