package io.eddy.runtime.operators;

import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.checkpoint.KeyGroupSections;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.state.KeyedStateBackend;
import io.eddy.time.Window;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The open windows of each key of a {@link GeneralWindowOperator}: per (key, window) the
 * accumulator and the trigger's values; a key's set of windows is also its merging-window set
 * (sessions). {@link #onHeap} keeps them in a map that the operator's checkpoints carry;
 * {@link #inBackend} keeps them in a map state of the keyed state backend (RocksDB), one entry per
 * (key, window), so they need not fit the heap and the backend's snapshots carry them.
 *
 * <p>An {@link Entry} handed out is the operator's to change; a change is kept only by
 * {@link #update} (a window opened or changed) or {@link #remove}. Confined to the task's
 * event-loop thread; in the backend, every call makes its key current.
 */
abstract class WindowContents<ACC> {
  /** One open window of one key. */
  static final class Entry<ACC> {
    final Window window;
    ACC acc;
    Map<String, Object> triggerValues;

    Entry(Window window) {
      this.window = window;
    }
  }

  /** The key's open windows (a copy in the backend; changing the list changes nothing). */
  abstract List<Entry<ACC>> windows(Object key);

  /** The key's open window {@code w}, or null. */
  abstract Entry<ACC> get(Object key, Window w);

  /** Keeps {@code e} as the key's window (newly opened or changed). */
  abstract void update(Object key, Entry<ACC> e);

  abstract void remove(Object key, Entry<ACC> e);

  /** Writes the windows into the key-group sections, as records with first byte 0 (heap only). */
  void snapshot(KeyGroupSections sections, ToIntFunction<Object> keyGroupOf, Serde<Object> any) {}

  /** Reads back one record of {@link #snapshot} (its first byte already read). */
  void restore(DataReader in, Serde<Object> any) {
    throw new IllegalStateException("window contents in a checkpoint section, but the windows live in the state backend");
  }

  static <ACC> WindowContents<ACC> onHeap() {
    return new Heap<>();
  }

  static <ACC> WindowContents<ACC> inBackend(KeyedStateBackend backend) {
    return new Backend<>(backend);
  }

  private static final class Heap<ACC> extends WindowContents<ACC> {
    private final Map<Object, List<Entry<ACC>>> byKey = new HashMap<>();

    @Override
    List<Entry<ACC>> windows(Object key) {
      List<Entry<ACC>> l = byKey.get(key);
      return l == null ? List.of() : new ArrayList<>(l);
    }

    @Override
    Entry<ACC> get(Object key, Window w) {
      List<Entry<ACC>> l = byKey.get(key);
      if (l != null) {
        for (Entry<ACC> e : l) {
          if (e.window.equals(w)) {
            return e;
          }
        }
      }
      return null;
    }

    @Override
    void update(Object key, Entry<ACC> e) {
      List<Entry<ACC>> l = byKey.computeIfAbsent(key, k -> new ArrayList<>(2));
      for (Entry<ACC> x : l) {
        if (x == e) {
          return; // changed in place
        }
      }
      l.add(e);
    }

    @Override
    void remove(Object key, Entry<ACC> e) {
      List<Entry<ACC>> l = byKey.get(key);
      if (l != null && l.remove(e) && l.isEmpty()) {
        byKey.remove(key);
      }
    }

    @Override
    void snapshot(KeyGroupSections sections, ToIntFunction<Object> keyGroupOf, Serde<Object> any) {
      byKey.forEach((key, windows) -> {
        DataWriter out = sections.section(keyGroupOf.applyAsInt(key));
        for (Entry<ACC> e : windows) {
          out.writeByte(0);
          any.write(key, out);
          any.write(e.window, out);
          any.write(e.acc, out);
          any.write(e.triggerValues == null ? null : new HashMap<>(e.triggerValues), out);
        }
      });
    }

    @Override
    @SuppressWarnings("unchecked")
    void restore(DataReader in, Serde<Object> any) {
      Object key = any.read(in);
      Entry<ACC> e = new Entry<>((Window) any.read(in));
      e.acc = (ACC) any.read(in);
      e.triggerValues = (Map<String, Object>) any.read(in);
      byKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
    }
  }

  /** Map state "window-contents": window to {@code [accumulator, trigger values]}. */
  private static final class Backend<ACC> extends WindowContents<ACC> {
    private final KeyedStateBackend backend;
    private final MapState<Object, Object[]> stored;

    Backend(KeyedStateBackend backend) {
      this.backend = backend;
      this.stored = backend.getMapState(new MapStateDescriptor<>("window-contents", Object.class, Object[].class));
    }

    private void at(Object key) {
      if (backend.currentKey() != key) {
        backend.setCurrentKey(key);
      }
    }

    @SuppressWarnings("unchecked")
    private static <ACC> Entry<ACC> entry(Object window, Object[] value) {
      Entry<ACC> e = new Entry<>((Window) window);
      e.acc = (ACC) value[0];
      e.triggerValues = (Map<String, Object>) value[1];
      return e;
    }

    @Override
    List<Entry<ACC>> windows(Object key) {
      at(key);
      List<Entry<ACC>> out = new ArrayList<>(2);
      for (Map.Entry<Object, Object[]> e : stored.entries()) {
        out.add(entry(e.getKey(), e.getValue()));
      }
      return out;
    }

    @Override
    Entry<ACC> get(Object key, Window w) {
      at(key);
      Object[] v = stored.get(w);
      return v == null ? null : entry(w, v);
    }

    @Override
    void update(Object key, Entry<ACC> e) {
      at(key);
      stored.put(e.window, new Object[] {e.acc, e.triggerValues == null ? null : new HashMap<>(e.triggerValues)});
    }

    @Override
    void remove(Object key, Entry<ACC> e) {
      at(key);
      stored.remove(e.window);
    }
  }
}
