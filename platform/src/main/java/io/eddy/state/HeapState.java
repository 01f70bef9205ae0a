package io.eddy.state;

import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One state of a {@link HeapKeyedStateBackend}: a map from key to stored form per key group, created on first write.
 * Reads and writes act on the backend's current key; like the backend, confined to the task's event-loop thread.
 * Subclasses give the stored form of each kind (value, list, map) and how it is written to and read from a snapshot.
 */
abstract class HeapState {
  final HeapKeyedStateBackend backend;
  final StateInfo info;
  private final int firstKeyGroup;
  final Map<Object, Object>[] byKeyGroup;

  @SuppressWarnings("unchecked")
  HeapState(HeapKeyedStateBackend backend, StateInfo info) {
    this.backend = backend;
    this.info = info;
    this.firstKeyGroup = backend.firstKeyGroup;
    this.byKeyGroup = new Map[backend.lastKeyGroup - firstKeyGroup + 1];
  }

  final Object stored() {
    backend.requireKey();
    Map<Object, Object> m = byKeyGroup[backend.currentKeyGroup - firstKeyGroup];
    return m == null ? null : m.get(backend.currentKey);
  }

  final void putStored(Object o) {
    backend.requireKey();
    int i = backend.currentKeyGroup - firstKeyGroup;
    Map<Object, Object> m = byKeyGroup[i];
    if (m == null) {
      m = byKeyGroup[i] = new HashMap<>();
    }
    m.put(backend.currentKey, o);
  }

  final void removeStored() {
    backend.requireKey();
    Map<Object, Object> m = byKeyGroup[backend.currentKeyGroup - firstKeyGroup];
    if (m != null) {
      m.remove(backend.currentKey);
    }
  }

  final Object wrap(Object value, long now) {
    return info.hasTtl() ? new TtlValue(value, now) : value;
  }

  final long now() {
    return info.hasTtl() ? backend.clock.currentTimeMillis() : 0L;
  }

  /** The value of a value-like state, dropping it if expired, refreshing it if so configured. */
  final Object readValue() {
    Object s = stored();
    if (s == null || !info.hasTtl()) {
      return s;
    }
    TtlValue t = (TtlValue) s;
    long now = backend.clock.currentTimeMillis();
    if (info.expired(t.stamp, now)) {
      removeStored();
      return null;
    }
    if (info.refreshOnRead) {
      t.stamp = now;
    }
    return t.value;
  }

  final void writeValue(Object value) {
    putStored(wrap(value, now()));
  }

  /** Writes the entries of key group {@code kg} (not expired at {@code now}); returns their count. */
  final int write(int kg, DataWriter out, long now) {
    Map<Object, Object> m = byKeyGroup[kg - firstKeyGroup];
    if (m == null || m.isEmpty()) {
      return 0;
    }
    int n = 0;
    Serde<Object> keys = backend.keySerde();
    for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Object, Object> e = it.next();
      if (info.hasTtl() && !prune(e.getValue(), now)) {
        it.remove();
        continue;
      }
      keys.write(e.getKey(), out);
      writeBody(e.getValue(), out);
      n++;
    }
    return n;
  }

  /** Reads a block written by {@link #write} into key group {@code kg}. */
  final void read(int kg, DataReader in) {
    int n = in.readInt();
    int i = kg - firstKeyGroup;
    Map<Object, Object> m = byKeyGroup[i];
    if (m == null) {
      m = byKeyGroup[i] = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
    }
    Serde<Object> keys = backend.keySerde();
    for (int j = 0; j < n; j++) {
      Object key = keys.read(in);
      m.put(key, readBody(in));
    }
  }

  final int count() {
    int n = 0;
    for (Map<Object, Object> m : byKeyGroup) {
      if (m != null) {
        for (Object stored : m.values()) {
          n += size(stored);
        }
      }
    }
    return n;
  }

  /** Drops expired parts of a stored form; false if nothing is left. */
  boolean prune(Object stored, long now) {
    return !info.expired(((TtlValue) stored).stamp, now);
  }

  /** Entries a stored form counts as (for tests). */
  int size(Object stored) {
    return 1;
  }

  void writeBody(Object stored, DataWriter out) {
    if (info.hasTtl()) {
      TtlValue t = (TtlValue) stored;
      out.writeLong(t.stamp);
      info.valueSerde.write(t.value, out);
    } else {
      info.valueSerde.write(stored, out);
    }
  }

  Object readBody(DataReader in) {
    if (info.hasTtl()) {
      long stamp = in.readLong();
      return new TtlValue(info.valueSerde.read(in), stamp);
    }
    return info.valueSerde.read(in);
  }
}
