package io.eddy.runtime.operators;

import io.eddy.graph.Specs;
import io.eddy.record.Frame;
import io.eddy.time.TimeWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Event-time tumbling and sliding windows with the default (event-time) trigger. Windows are
 * aligned, so all keys share each window's boundaries: the operator keeps one bucket per window
 * (accumulators by key, updated in place) and fires a whole bucket when the watermark passes its
 * end, instead of keeping a timer per key and window. A record within the allowed lateness of a
 * fired window updates it and re-fires that key at once; a bucket is dropped once the watermark
 * passes its end plus the allowed lateness.
 *
 * <p>On the RocksDB backend the accumulators live in the backend (a map state per key, window
 * start to accumulator) and the buckets are a write-back cache over it: updates stay in memory and
 * are written to RocksDB at every checkpoint barrier, before the backend's snapshot; past
 * {@code rocksdb.windowCacheEntries} cached accumulators (default 100,000) the flushed ones are
 * evicted and read back from RocksDB when their key comes again or their window fires. The
 * checkpoint then holds the accumulators in RocksDB's files and only the keys of each window in the
 * operator's own key-group sections. {@code rocksdb.windowCacheEntries: 0} turns the cache off:
 * every record reads and writes its accumulator in RocksDB, as Flink's RocksDB backend does, and
 * only the keys of each window stay in memory.
 */
final class AlignedWindowOperator<K, IN, ACC, V, OUT> extends WindowOperatorBase<K, IN, ACC, V, OUT> {
  private final long size;
  private final long slide;
  private final long offset;
  private final ArrayList<Bucket<ACC>> buckets = new ArrayList<>(); // by start, ascending
  private Bucket<ACC> lastBucket;

  /** The accumulators of one window. */
  private static final class Bucket<ACC> {
    final long start;
    final long end;
    final HashMap<Object, ACC> byKey = new HashMap<>();
    final java.util.HashSet<Object> dirty = new java.util.HashSet<>(); // backend mode: not yet in RocksDB
    boolean fired;
    Object[] firing; // the keys being fired, while the firing yields to a full output
    int firedKeys;
    boolean flushed; // backend mode: some accumulator of it is in RocksDB

    Bucket(long start, long end) {
      this.start = start;
      this.end = end;
    }
  }

  /** Marks an accumulator that is in RocksDB only. */
  private static final Object EVICTED = new Object();

  private io.eddy.api.state.MapState<Long, Object> stored; // backend mode, else null
  private io.eddy.state.KeyedStateBackend backend;
  private long cacheLimit;
  private long cached;

  AlignedWindowOperator(Specs.WindowSpec spec, long size, long slide, long offset) {
    super(spec);
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }

  @Override
  public void open() throws Exception {
    super.open();
    openBackend();
  }

  private void openBackend() {
    io.eddy.config.StateSettings settings = context.jobConfig().state();
    if (stored != null || settings.backend() != io.eddy.config.StateSettings.Backend.ROCKSDB) {
      return;
    }
    backend = context.keyedStateBackend();
    stored = backend.getMapState(new io.eddy.api.state.MapStateDescriptor<>("window-accumulators", Long.class, Object.class));
    cacheLimit = settings.windowCacheEntries();
  }

  /** The accumulator of {@code key} in {@code b}, read back from RocksDB if it was evicted. */
  @SuppressWarnings("unchecked")
  private ACC cachedOrStored(Bucket<ACC> b, Object key) {
    ACC acc = b.byKey.get(key);
    if (acc == EVICTED) {
      backend.setCurrentKey(key);
      acc = (ACC) stored.get(b.start);
      if (cacheLimit > 0) {
        b.byKey.put(key, acc);
        cached++;
      }
    }
    return acc;
  }

  /** Without a cache: the accumulator is read from and written back to RocksDB for every record. */
  @SuppressWarnings("unchecked")
  private ACC addWriteThrough(Bucket<ACC> b, Object key, IN record) {
    backend.setCurrentKey(key);
    ACC after = add(record, (ACC) stored.get(b.start));
    stored.put(b.start, after);
    b.byKey.put(key, (ACC) EVICTED); // the window's keys stay known, for firing and snapshots
    b.flushed = true;
    return after;
  }

  @Override
  public void collect(IN record, long timestamp) {
    if (timestamp == Frame.NO_TIMESTAMP) {
      throw failure(new IllegalStateException(
          "record without timestamp in an event-time window (assign timestamps and watermarks upstream): " + record));
    }
    K key = keyOf(record);
    boolean placed = false;
    long lastStart = timestamp - Math.floorMod(timestamp - offset, slide);
    for (long start = lastStart; start > timestamp - size; start -= slide) {
      long end = start + size;
      if (end - 1 + allowedLateness <= currentWatermark) {
        continue; // this window is gone
      }
      placed = true;
      Bucket<ACC> b = bucket(start, end);
      if (stored != null && cacheLimit == 0) {
        ACC after = addWriteThrough(b, key, record);
        if (b.fired) {
          emit(key, new TimeWindow(b.start, b.end), after); // late but allowed: fire again
        }
        continue;
      }
      ACC before = stored == null ? b.byKey.get(key) : cachedOrStored(b, key);
      ACC after = add(record, before);
      if (after != before) {
        if (before == null && stored != null) {
          cached++;
        }
        b.byKey.put(key, after);
      }
      if (stored != null) {
        b.dirty.add(key);
      }
      if (b.fired || end - 1 <= currentWatermark) {
        // late but allowed: fire at once (again), as Flink does, also for a window this record opens
        b.fired = true;
        emit(key, new TimeWindow(b.start, b.end), after);
      }
    }
    if (!placed) {
      late(record, timestamp);
    }
  }

  private Bucket<ACC> bucket(long start, long end) {
    Bucket<ACC> b = lastBucket;
    if (b != null && b.start == start) {
      return b;
    }
    int i = buckets.size() - 1;
    while (i >= 0 && buckets.get(i).start > start) {
      i--;
    }
    if (i >= 0 && buckets.get(i).start == start) {
      b = buckets.get(i);
    } else {
      b = new Bucket<>(start, end);
      buckets.add(i + 1, b);
    }
    lastBucket = b;
    return b;
  }

  @Override
  public void snapshotState(io.eddy.runtime.OperatorSnapshot snapshot) throws Exception {
    super.snapshotState(snapshot);
    if (stored != null) {
      flushAndEvict();
    }
    io.eddy.serde.Serde<Object> any = context.anySerde();
    for (Bucket<ACC> b : buckets) {
      for (Map.Entry<Object, ACC> e : b.byKey.entrySet()) {
        io.eddy.serde.DataWriter out = snapshot.keyGroups().section(context.keyGroupOf(e.getKey()));
        out.writeLong(b.start);
        out.writeBoolean(b.fired);
        any.write(e.getKey(), out);
        out.writeBoolean(stored == null);
        if (stored == null) {
          any.write(e.getValue(), out); // on the heap the accumulators go into the section itself
        }
      }
    }
  }

  /** Writes every changed accumulator to RocksDB, then evicts past the cache limit. */
  @SuppressWarnings("unchecked")
  private void flushAndEvict() {
    for (Bucket<ACC> b : buckets) {
      for (Object key : b.dirty) {
        backend.setCurrentKey(key);
        stored.put(b.start, b.byKey.get(key));
      }
      if (!b.dirty.isEmpty()) {
        b.flushed = true;
      }
      b.dirty.clear();
    }
    // evict the oldest windows' accumulators first: the newest are the hot ones
    for (Bucket<ACC> b : buckets) {
      if (cached <= cacheLimit) {
        break;
      }
      for (Map.Entry<Object, ACC> e : b.byKey.entrySet()) {
        if (e.getValue() != EVICTED) {
          e.setValue((ACC) EVICTED);
          cached--;
        }
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void restoreState(io.eddy.runtime.OperatorRestore restore) throws Exception {
    io.eddy.serde.Serde<Object> any = context.anySerde();
    restore.forEachKeyGroup((kg, in) -> {
      while (in.hasRemaining()) {
        long start = in.readLong();
        boolean fired = in.readBoolean();
        Object key = any.read(in);
        boolean inline = in.readBoolean();
        ACC acc = inline ? (ACC) any.read(in) : (ACC) EVICTED; // else in the restored RocksDB
        Bucket<ACC> b = bucket(start, start + size);
        b.fired |= fired;
        b.flushed |= !inline;
        b.byKey.put(key, acc);
      }
    });
  }

  /** A dropped window leaves RocksDB and the cache. */
  private void release(Bucket<ACC> b) {
    for (Map.Entry<Object, ACC> e : b.byKey.entrySet()) {
      if (e.getValue() != EVICTED) {
        cached--;
      }
      if (b.flushed) {
        backend.setCurrentKey(e.getKey());
        stored.remove(b.start);
      }
    }
  }

  @Override
  protected void onWatermark(long watermark) {
    currentWatermark = watermark;
    int dropped = 0;
    try {
      for (int i = 0; i < buckets.size(); i++) {
        Bucket<ACC> b = buckets.get(i);
        if (b.end - 1 > watermark) {
          break;
        }
        if (!b.fired && !fire(b)) {
          return; // the output is full: called again with this watermark once it has room
        }
        if (b.end - 1 + allowedLateness <= watermark) {
          dropped++;
          if (stored != null) {
            release(b);
          }
        }
      }
    } finally {
      if (dropped > 0) {
        // buckets end in start order, so the dropped ones are a prefix
        buckets.subList(0, dropped).clear();
        lastBucket = null;
      }
    }
  }

  /** Emits the window of {@code b} for each key, from where it stopped; false when it yielded. */
  private boolean fire(Bucket<ACC> b) {
    if (b.firing == null) {
      b.firing = b.byKey.keySet().toArray();
    }
    TimeWindow w = new TimeWindow(b.start, b.end);
    while (b.firedKeys < b.firing.length) {
      Object key = b.firing[b.firedKeys++];
      @SuppressWarnings("unchecked")
      K k = (K) key;
      emit(k, w, stored == null ? b.byKey.get(key) : cachedOrStored(b, key));
      if (yieldIfOutputFull()) {
        return false;
      }
    }
    b.fired = true;
    b.firing = null;
    return true;
  }
}
