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
    boolean fired;

    Bucket(long start, long end) {
      this.start = start;
      this.end = end;
    }
  }

  AlignedWindowOperator(Specs.WindowSpec spec, long size, long slide, long offset) {
    super(spec);
    this.size = size;
    this.slide = slide;
    this.offset = offset;
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
      ACC before = b.byKey.get(key);
      ACC after = add(record, before);
      if (after != before) {
        b.byKey.put(key, after);
      }
      if (b.fired) {
        emit(key, new TimeWindow(b.start, b.end), after); // late but allowed: fire again
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
    io.eddy.serde.Serde<Object> any = context.anySerde();
    for (Bucket<ACC> b : buckets) {
      for (Map.Entry<Object, ACC> e : b.byKey.entrySet()) {
        io.eddy.serde.DataWriter out = snapshot.keyGroups().section(context.keyGroupOf(e.getKey()));
        out.writeLong(b.start);
        out.writeBoolean(b.fired);
        any.write(e.getKey(), out);
        any.write(e.getValue(), out);
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
        ACC acc = (ACC) any.read(in);
        Bucket<ACC> b = bucket(start, start + size);
        b.fired |= fired;
        b.byKey.put(key, acc);
      }
    });
  }

  @Override
  protected void onWatermark(long watermark) {
    currentWatermark = watermark;
    int dropped = 0;
    for (int i = 0; i < buckets.size(); i++) {
      Bucket<ACC> b = buckets.get(i);
      if (b.end - 1 > watermark) {
        break;
      }
      if (!b.fired) {
        b.fired = true;
        TimeWindow w = new TimeWindow(b.start, b.end);
        for (Map.Entry<Object, ACC> e : b.byKey.entrySet()) {
          @SuppressWarnings("unchecked")
          K k = (K) e.getKey();
          emit(k, w, e.getValue());
        }
      }
      if (b.end - 1 + allowedLateness <= watermark) {
        dropped++;
      }
    }
    if (dropped > 0) {
      // buckets end in start order, so the dropped ones are a prefix
      buckets.subList(0, dropped).clear();
      lastBucket = null;
    }
  }
}
