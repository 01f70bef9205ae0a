package io.eddy.runtime.operators;

import io.eddy.graph.Specs;
import io.eddy.record.Frame;
import io.eddy.runtime.operators.WindowContents.Entry;
import io.eddy.state.TimerStore;
import io.eddy.time.TimeWindow;
import io.eddy.time.Trigger;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Windows of any kind: merging (sessions), custom triggers, processing time, global windows. Each
 * key keeps its open windows with their accumulators and trigger values ({@link WindowContents});
 * triggers keep timers per key and window ({@link KeyedTimers}, namespace: the window). A window is
 * dropped at its cleanup time: its end plus the allowed lateness in event time, its end in
 * processing time; cleanups are a second timer queue, fired after the triggers' timers. On the
 * RocksDB backend windows and timers live in RocksDB, else on the heap. At the end of a bounded
 * input the final watermark fires every event-time window; processing-time timers still pending do
 * not fire, as in Flink (which quiesces the processing-time service when the input ends, in
 * STREAMING mode).
 */
final class GeneralWindowOperator<K, IN, ACC, V, OUT> extends WindowOperatorBase<K, IN, ACC, V, OUT> {
  private final WindowAssigner<IN, Window> assigner;
  private final Trigger<IN, Window> trigger;
  private final boolean eventTime;
  private final TriggerContext ctx = new TriggerContext();
  private WindowContents<ACC> windows;
  private KeyedTimers timers;
  private KeyedTimers.Queue triggerTimers;
  private KeyedTimers.Queue cleanups;

  @SuppressWarnings("unchecked")
  GeneralWindowOperator(Specs.WindowSpec spec) {
    super(spec);
    this.assigner = (WindowAssigner<IN, Window>) spec.assigner();
    this.trigger = spec.trigger() != null
        ? (Trigger<IN, Window>) spec.trigger()
        : assigner.defaultTrigger();
    this.eventTime = assigner.isEventTime();
  }

  /** Windows and timers, created at restore or open, whichever comes first. */
  private void init() {
    if (timers != null) {
      return;
    }
    windows = KeyedTimers.stateInRocksDb(context)
        ? WindowContents.inBackend(context.keyedStateBackend())
        : WindowContents.onHeap();
    timers = KeyedTimers.of(context, context.anySerde(), this::onTimer);
    triggerTimers = timers.queue("trigger");
    cleanups = timers.queue("cleanup");
  }

  @Override
  public void open() throws Exception {
    super.open();
    init();
    timers.start(); // restored timers
  }

  @Override
  public void collect(IN record, long timestamp) {
    if (eventTime && timestamp == Frame.NO_TIMESTAMP) {
      throw failure(new IllegalStateException(
          "record without timestamp in an event-time window (assign timestamps and watermarks upstream): " + record));
    }
    K key = keyOf(record);
    boolean placed = false;
    for (Window w : assigner.assignWindows(record, timestamp, System.currentTimeMillis())) {
      Entry<ACC> e = assigner.isMerging() ? mergeInto(key, (TimeWindow) w) : find(key, w);
      if (e == null) {
        continue; // late
      }
      placed = true;
      e.acc = add(record, e.acc);
      try {
        handle(key, e, trigger.onElement(record, timestamp, e.window, ctx.at(key, e)));
      } catch (io.eddy.runtime.OperatorException ex) {
        throw ex;
      } catch (Exception ex) {
        throw failure(ex);
      }
      windows.update(key, e);
    }
    if (!placed) {
      late(record, timestamp);
    }
  }

  private boolean isLate(Window w) {
    return eventTime && cleanupTime(w) <= currentWatermark;
  }

  private long cleanupTime(Window w) {
    long max = w.maxTimestamp();
    if (!eventTime) {
      return max;
    }
    return max > Long.MAX_VALUE - allowedLateness ? Long.MAX_VALUE : max + allowedLateness;
  }

  private Entry<ACC> find(Object key, Window w) {
    Entry<ACC> e = windows.get(key, w);
    if (e != null) {
      return e;
    }
    if (isLate(w)) {
      return null;
    }
    return open(key, w);
  }

  /** A new window of {@code key}, with its cleanup timer; kept once the caller updates it. */
  private Entry<ACC> open(Object key, Window w) {
    Entry<ACC> e = new Entry<>(w);
    long cleanup = cleanupTime(w);
    if (eventTime) {
      cleanups.registerEventTime(cleanup, key, w);
    } else if (cleanup != Long.MAX_VALUE) {
      cleanups.registerProcessingTime(cleanup, key, w);
    }
    return e;
  }

  /** Merges a session window into the key's overlapping ones; null when the result is late. */
  private Entry<ACC> mergeInto(Object key, TimeWindow w) {
    List<Entry<ACC>> overlapping = new ArrayList<>(2);
    TimeWindow merged = w;
    for (Entry<ACC> e : windows.windows(key)) {
      TimeWindow ew = (TimeWindow) e.window;
      if (ew.intersects(w)) {
        overlapping.add(e);
        merged = merged.cover(ew);
      }
    }
    if (isLate(merged)) {
      return null;
    }
    if (overlapping.size() == 1 && overlapping.get(0).window.equals(merged)) {
      return overlapping.get(0);
    }
    if (overlapping.isEmpty()) {
      return open(key, merged);
    }
    ACC acc = null;
    for (Entry<ACC> old : overlapping) {
      if (old.acc != null) {
        acc = acc == null ? old.acc : aggregate.merge(acc, old.acc);
      }
    }
    try {
      // The merged windows' trigger values are read by onMerge after clear() has removed them.
      List<Map<String, Object>> mergedValues = new ArrayList<>(overlapping.size());
      for (Entry<ACC> old : overlapping) {
        mergedValues.add(old.triggerValues == null ? Map.of() : new HashMap<>(old.triggerValues));
        trigger.clear(old.window, ctx.at(key, old));
        drop(key, old);
      }
      Entry<ACC> e = open(key, merged);
      e.acc = acc;
      trigger.onMerge(merged, ctx.merging(key, e, mergedValues));
      return e;
    } catch (io.eddy.runtime.OperatorException ex) {
      throw ex;
    } catch (Exception ex) {
      throw failure(ex);
    }
  }

  private void drop(Object key, Entry<ACC> e) {
    windows.remove(key, e);
    if (eventTime) {
      cleanups.deleteEventTime(cleanupTime(e.window), key, e.window);
    } else {
      cleanups.deleteProcessingTime(cleanupTime(e.window), key, e.window);
    }
  }

  @SuppressWarnings("unchecked")
  private void handle(Object key, Entry<ACC> e, Trigger.Result r) {
    if (r.isFire() && e.acc != null) {
      emit((K) key, e.window, e.acc);
    }
    if (r.isPurge()) {
      e.acc = null;
    }
  }

  @Override
  public void snapshotState(io.eddy.runtime.OperatorSnapshot snapshot) throws Exception {
    super.snapshotState(snapshot);
    io.eddy.serde.Serde<Object> any = context.anySerde();
    windows.snapshot(snapshot.keyGroups(), context::keyGroupOf, any);
    timers.snapshot(snapshot.keyGroups(), context::keyGroupOf, any);
  }

  @Override
  public void restoreState(io.eddy.runtime.OperatorRestore restore) throws Exception {
    init();
    io.eddy.serde.Serde<Object> any = context.anySerde();
    restore.forEachKeyGroup((kg, in) -> {
      while (in.hasRemaining()) {
        int tag = in.readByte();
        if (KeyedTimers.isTimerRecord(tag)) {
          timers.restore(tag, in, any);
        } else {
          windows.restore(in, any);
        }
      }
    });
  }

  @Override
  protected void onWatermark(long watermark) {
    currentWatermark = watermark;
    timers.advanceWatermark(watermark, this::yieldIfOutputFull); // resumed with this watermark if it yields
  }

  @Override
  protected void onEndOfInput() {
    timers.endOfInput(); // pending processing-time timers never fire, as in Flink
  }

  private void onTimer(KeyedTimers.Queue queue, KeyedTimers.Domain domain, TimerStore.Timer t) {
    Entry<ACC> e = windows.get(t.key(), (Window) t.namespace());
    if (e == null) {
      return;
    }
    try {
      if (queue == cleanups) {
        trigger.clear(e.window, ctx.at(t.key(), e));
        windows.remove(t.key(), e);
        return;
      }
      Trigger.Result r = domain == KeyedTimers.Domain.EVENT_TIME
          ? trigger.onEventTime(t.time(), e.window, ctx.at(t.key(), e))
          : trigger.onProcessingTime(t.time(), e.window, ctx.at(t.key(), e));
      handle(t.key(), e, r);
      windows.update(t.key(), e);
    } catch (io.eddy.runtime.OperatorException ex) {
      throw ex;
    } catch (Exception ex) {
      throw failure(ex);
    }
  }

  @Override
  public void close() throws Exception {
    if (timers != null) {
      timers.close();
    }
    super.close();
  }

  /** The trigger's view of one key's window; re-aimed before every trigger call. */
  private final class TriggerContext implements Trigger.MergeContext {
    private Object key;
    private Entry<ACC> entry;
    private List<Map<String, Object>> merged;

    TriggerContext at(Object key, Entry<ACC> entry) {
      this.key = key;
      this.entry = entry;
      this.merged = null;
      return this;
    }

    TriggerContext merging(Object key, Entry<ACC> entry, List<Map<String, Object>> merged) {
      at(key, entry);
      this.merged = merged;
      return this;
    }

    @Override
    public long currentWatermark() {
      return currentWatermark;
    }

    @Override
    public long currentProcessingTime() {
      return System.currentTimeMillis();
    }

    @Override
    public void registerEventTimeTimer(long time) {
      triggerTimers.registerEventTime(time, key, entry.window);
    }

    @Override
    public void deleteEventTimeTimer(long time) {
      triggerTimers.deleteEventTime(time, key, entry.window);
    }

    @Override
    public void registerProcessingTimeTimer(long time) {
      triggerTimers.registerProcessingTime(time, key, entry.window);
    }

    @Override
    public void deleteProcessingTimeTimer(long time) {
      triggerTimers.deleteProcessingTime(time, key, entry.window);
    }

    @Override
    public Object value(String name) {
      return entry.triggerValues == null ? null : entry.triggerValues.get(name);
    }

    @Override
    public void value(String name, Object value) {
      if (value == null) {
        if (entry.triggerValues != null) {
          entry.triggerValues.remove(name);
        }
        return;
      }
      if (entry.triggerValues == null) {
        entry.triggerValues = new HashMap<>(4);
      }
      entry.triggerValues.put(name, value);
    }

    @Override
    public List<Object> mergedValues(String name) {
      List<Object> values = new ArrayList<>();
      if (merged != null) {
        for (Map<String, Object> m : merged) {
          values.add(m.get(name));
        }
      }
      return values;
    }
  }
}
