package io.eddy.state;

import io.eddy.api.state.ListState;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * List state in RocksDB: a key's elements {@code [long stamp] element} concatenated in one RocksDB
 * value, appended with RocksDB's merge (the string-append operator with an empty delimiter), so
 * {@code add} never reads. Confined to the task's event loop.
 */
final class RocksDbListState extends RocksDbState implements ListState<Object> {
  RocksDbListState(RocksDbKeyedStateBackend backend, StateInfo info) {
    super(backend, info);
  }

  @Override
  public Iterable<Object> get() {
    byte[] key = backend.keyBytes();
    byte[] b = get(key);
    if (b == null) {
      return List.of();
    }
    DataReader in = new DataReader(b);
    List<Object> out = new ArrayList<>();
    if (!info.hasTtl()) {
      while (in.hasRemaining()) {
        out.add(info.valueSerde.read(in));
      }
      return out;
    }
    long now = backend.clock().currentTimeMillis();
    boolean dropped = false;
    while (in.hasRemaining()) {
      long stamp = in.readLong();
      Object v = info.valueSerde.read(in);
      if (info.expired(stamp, now)) {
        dropped = true;
      } else {
        out.add(v);
      }
    }
    if (out.isEmpty()) {
      delete(key);
    } else if (info.refreshOnRead) {
      DataWriter w = backend.valueOut();
      w.reset();
      for (Object v : out) {
        writeValue(w, v, now);
      }
      put(key, w.toByteArray());
    } else if (dropped) {
      put(key, RocksDbTtlCleanup.prune(info, b, now));
    }
    return out;
  }

  private byte[] encodeAll(List<Object> values) {
    for (Object v : values) {
      if (v == null) {
        throw new NullPointerException("state '" + info.name + "': a list state cannot hold null elements");
      }
    }
    long now = now();
    DataWriter w = backend.valueOut();
    w.reset();
    for (Object v : values) {
      writeValue(w, v, now);
    }
    return w.toByteArray();
  }

  @Override
  public void add(Object value) {
    if (value == null) {
      throw new NullPointerException("state '" + info.name + "': cannot add null to a list state");
    }
    db.merge(cf, backend.keyBytes(), valueBytes(value), what);
  }

  @Override
  public void addAll(List<Object> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    db.merge(cf, backend.keyBytes(), encodeAll(values), what);
  }

  @Override
  public void update(List<Object> values) {
    if (values == null || values.isEmpty()) {
      clearKey();
      return;
    }
    put(backend.keyBytes(), encodeAll(values));
  }

  @Override
  public void clear() {
    clearKey();
  }
}
