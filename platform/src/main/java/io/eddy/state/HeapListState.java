package io.eddy.state;

import io.eddy.api.state.ListState;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A list state on the heap: the stored form of a key is an {@code ArrayList} of its elements, each a {@link TtlValue}
 * when the state has a TTL (expired elements are dropped when read or snapshotted).
 */
final class HeapListState extends HeapState implements ListState<Object> {
  HeapListState(HeapKeyedStateBackend backend, StateInfo info) {
    super(backend, info);
  }

  @SuppressWarnings("unchecked")
  private List<Object> list() {
    return (List<Object>) stored();
  }

  @Override
  public Iterable<Object> get() {
    List<Object> list = list();
    if (list == null) {
      return List.of();
    }
    if (!info.hasTtl()) {
      return new ArrayList<>(list);
    }
    long now = backend.clock.currentTimeMillis();
    list.removeIf(o -> info.expired(((TtlValue) o).stamp, now));
    if (list.isEmpty()) {
      removeStored();
      return List.of();
    }
    List<Object> out = new ArrayList<>(list.size());
    for (Object o : list) {
      TtlValue t = (TtlValue) o;
      if (info.refreshOnRead) {
        t.stamp = now;
      }
      out.add(t.value);
    }
    return out;
  }

  @Override
  public void add(Object value) {
    if (value == null) {
      throw new NullPointerException("state '" + info.name + "': cannot add null to a list state");
    }
    List<Object> list = list();
    if (list == null) {
      list = new ArrayList<>(4);
      putStored(list);
    }
    list.add(wrap(value, now()));
  }

  @Override
  public void addAll(List<Object> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    List<Object> wrapped = wrapAll(values);
    List<Object> list = list();
    if (list == null) {
      putStored(wrapped);
    } else {
      list.addAll(wrapped);
    }
  }

  @Override
  public void update(List<Object> values) {
    if (values == null || values.isEmpty()) {
      clear();
      return;
    }
    putStored(wrapAll(values));
  }

  private List<Object> wrapAll(List<Object> values) {
    long now = now();
    List<Object> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (v == null) {
        throw new NullPointerException("state '" + info.name + "': a list state cannot hold null elements");
      }
      out.add(wrap(v, now));
    }
    return out;
  }

  @Override
  public void clear() {
    removeStored();
  }

  @Override
  @SuppressWarnings("unchecked")
  boolean prune(Object stored, long now) {
    List<Object> list = (List<Object>) stored;
    list.removeIf(o -> info.expired(((TtlValue) o).stamp, now));
    return !list.isEmpty();
  }

  @Override
  int size(Object stored) {
    return ((List<?>) stored).size();
  }

  @Override
  void writeBody(Object stored, DataWriter out) {
    List<?> list = (List<?>) stored;
    out.writeVarInt(list.size());
    for (Object o : list) {
      if (info.hasTtl()) {
        TtlValue t = (TtlValue) o;
        out.writeLong(t.stamp);
        info.valueSerde.write(t.value, out);
      } else {
        info.valueSerde.write(o, out);
      }
    }
  }

  @Override
  Object readBody(DataReader in) {
    int n = in.readVarInt();
    List<Object> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (info.hasTtl()) {
        long stamp = in.readLong();
        list.add(new TtlValue(info.valueSerde.read(in), stamp));
      } else {
        list.add(info.valueSerde.read(in));
      }
    }
    return list;
  }
}
