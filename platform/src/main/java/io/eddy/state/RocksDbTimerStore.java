package io.eddy.state;

import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * A {@link TimerStore} in the RocksDB backend: a column family ({@code "t:" + name}) with one empty
 * entry per timer, keyed {@code keyGroup(2) | time(8, sign flipped) | key | namespace}, so each key
 * group's timers are one contiguous range in time order. The backend's snapshots carry the column
 * family, and a rescaling restore copies its key groups like any state.
 *
 * <p>In memory there is only an index over the key groups: per key group a lower bound of its
 * earliest timer (initially unknown, {@link Long#MIN_VALUE}) or the fact that it has none, kept in a min-heap of fixed size (one slot per key group of the range). Adding a timer
 * lowers its key group's bound; a bound that is not exact (unknown, or its timer deleted) is made
 * exact by seeking the key group's first entry before it counts; polling takes the first entry of
 * the key group with the lowest exact bound if it is due, and the entry after it (same iterator)
 * becomes that key group's bound. So memory does not
 * grow with the number of timers. Timers of equal time come out in key-group order, then in key
 * and namespace byte order.
 *
 * <p>Confined to the task's event loop; adding or deleting a timer of a key makes it the backend's
 * current key.
 */
final class RocksDbTimerStore implements TimerStore {
  private static final byte[] EMPTY = new byte[0];

  private final RocksDbKeyedStateBackend backend;
  private final RocksDbInstance db;
  private final ColumnFamilyHandle cf;
  private final Serde<Object> namespaceSerde;
  private final String what;
  private final int first;
  private final long[] bound; // by key group - first
  private final boolean[] exact;
  private final boolean[] empty; // known to hold no timer
  private final int[] heap; // key group - first, ordered by bound
  private final int[] position; // of each key group in heap
  private final DataWriter out = new DataWriter(64);

  /** @param namespaceSerde the serde of the namespaces, or null when every namespace is null */
  RocksDbTimerStore(RocksDbKeyedStateBackend backend, String name, Serde<Object> namespaceSerde) {
    this.backend = backend;
    this.db = backend.instance();
    this.cf = db.columnFamily(RocksDbInstance.TIMER_PREFIX + name);
    this.namespaceSerde = namespaceSerde;
    this.what = "timers '" + name + "'";
    this.first = backend.firstKeyGroup();
    int n = backend.lastKeyGroup() - first + 1;
    bound = new long[n];
    exact = new boolean[n];
    empty = new boolean[n];
    heap = new int[n];
    position = new int[n];
    for (int i = 0; i < n; i++) {
      bound[i] = Long.MIN_VALUE; // unknown until sought: restored timers may be there
      heap[i] = i;
      position[i] = i;
    }
  }

  private byte[] encode(long time, Object key, Object namespace) {
    if (backend.currentKey() != key) {
      backend.setCurrentKey(key);
    }
    byte[] keyBytes = backend.keyBytes(); // key group, key
    out.reset();
    out.writeBytes(keyBytes, 0, 2);
    out.writeLong(time ^ Long.MIN_VALUE);
    out.writeBytes(keyBytes, 2, keyBytes.length - 2);
    if (namespaceSerde != null) {
      namespaceSerde.write(namespace, out);
    }
    return out.toByteArray();
  }

  private Timer decode(byte[] k) {
    long time = timeOf(k);
    DataReader in = new DataReader(k, 10, k.length);
    Object key = backend.keySerdeForTimers().read(in);
    Object namespace = namespaceSerde == null ? null : namespaceSerde.read(in);
    return new Timer(time, key, namespace);
  }

  @Override
  public void add(long time, Object key, Object namespace) {
    db.put(cf, encode(time, key, namespace), EMPTY, what);
    int i = backend.currentKeyGroup() - first;
    if (empty[i] || time <= bound[i]) {
      setBound(i, time, true);
    }
  }

  @Override
  public void delete(long time, Object key, Object namespace) {
    db.delete(cf, encode(time, key, namespace), what);
    int i = backend.currentKeyGroup() - first;
    if (!empty[i] && time == bound[i]) {
      exact[i] = false; // still a lower bound
    }
  }

  @Override
  public Timer pollDue(long upTo) {
    while (heap.length > 0) {
      int i = heap[0];
      if (empty[i] || bound[i] > upTo) {
        return null;
      }
      if (!exact[i]) {
        resolve(i); // a lower bound only: another key group may come first
        continue;
      }
      byte[] prefix = RocksDbKeys.keyGroupPrefix(first + i);
      try (RocksIterator it = db.iterator(cf)) {
        it.seek(seekKey(i));
        byte[] k = it.isValid() && RocksDbKeys.startsWith(it.key(), prefix) ? it.key() : null;
        if (k == null || timeOf(k) != bound[i]) {
          resolve(i); // not expected: exact bounds are the first entry's time
          continue;
        }
        it.next();
        if (it.isValid() && RocksDbKeys.startsWith(it.key(), prefix)) {
          setBound(i, timeOf(it.key()), true);
        } else {
          setEmpty(i);
        }
        db.delete(cf, k, what);
        return decode(k);
      }
    }
    return null;
  }

  @Override
  public long nextTime() {
    while (heap.length > 0) {
      int i = heap[0];
      if (empty[i]) {
        return Long.MAX_VALUE;
      }
      if (exact[i]) {
        return bound[i];
      }
      resolve(i);
    }
    return Long.MAX_VALUE;
  }

  /** Seeks key group {@code first + i} to its earliest timer: its bound becomes exact. */
  private void resolve(int i) {
    byte[] k = firstEntry(i);
    if (k == null) {
      setEmpty(i);
    } else {
      setBound(i, timeOf(k), true);
    }
  }

  private static long timeOf(byte[] k) {
    return RocksDbKeys.getLong(k, 2) ^ Long.MIN_VALUE;
  }

  @Override
  public boolean inBackendSnapshot() {
    return true;
  }

  @Override
  public void forEach(Consumer<Timer> action) {
    throw new UnsupportedOperationException("the RocksDB backend's snapshots carry its timers");
  }

  /**
   * Where the earliest timer of key group {@code first + i} is sought from: its lower bound. Timers
   * leave in time order, so their deletion markers lie before it and a seek jumps over them instead
   * of stepping through them.
   */
  private byte[] seekKey(int i) {
    byte[] k = new byte[10];
    k[0] = (byte) ((first + i) >>> 8);
    k[1] = (byte) (first + i);
    RocksDbKeys.putLong(k, 2, bound[i] ^ Long.MIN_VALUE);
    return k;
  }

  /** The RocksDB key of the earliest timer of key group {@code first + i}, or null. */
  private byte[] firstEntry(int i) {
    byte[] prefix = RocksDbKeys.keyGroupPrefix(first + i);
    try (RocksIterator it = db.iterator(cf)) {
      it.seek(seekKey(i));
      if (it.isValid()) {
        byte[] k = it.key();
        if (RocksDbKeys.startsWith(k, prefix)) {
          return k;
        }
      }
      return null;
    }
  }

  private void setBound(int i, long value, boolean isExact) {
    empty[i] = false;
    bound[i] = value;
    exact[i] = isExact;
    siftUp(position[i]);
    siftDown(position[i]);
  }

  private void setEmpty(int i) {
    empty[i] = true;
    exact[i] = true;
    siftDown(position[i]);
  }

  private void siftUp(int p) {
    while (p > 0) {
      int parent = (p - 1) >>> 1;
      if (!less(heap[p], heap[parent])) {
        return;
      }
      swap(p, parent);
      p = parent;
    }
  }

  private void siftDown(int p) {
    int n = heap.length;
    while (true) {
      int l = 2 * p + 1;
      if (l >= n) {
        return;
      }
      int c = l + 1 < n && less(heap[l + 1], heap[l]) ? l + 1 : l;
      if (!less(heap[c], heap[p])) {
        return;
      }
      swap(p, c);
      p = c;
    }
  }

  /** Empty ones last, else lower bound first; key-group order among equal bounds. */
  private boolean less(int a, int b) {
    if (empty[a] != empty[b]) {
      return empty[b];
    }
    return bound[a] < bound[b] || (bound[a] == bound[b] && a < b);
  }

  private void swap(int a, int b) {
    int x = heap[a];
    heap[a] = heap[b];
    heap[b] = x;
    position[heap[a]] = a;
    position[heap[b]] = b;
  }
}
