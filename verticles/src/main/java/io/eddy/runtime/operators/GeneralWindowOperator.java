package io.eddy.runtime.operators;

import io.eddy.graph.Specs;
import io.eddy.record.Frame;
import io.eddy.time.TimeWindow;
import io.eddy.time.TimerQueue;
import io.eddy.time.Trigger;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Windows of any kind: merging (sessions), custom triggers, processing time, global windows. Each
 * key keeps its open windows with their accumulators and trigger values; triggers keep timers per
 * key and window. A window is dropped at its cleanup time: its end plus the allowed lateness in
 * event time, its end in processing time. At the end of a bounded input the final watermark fires
 * every event-time window; processing-time timers still pending do not fire, as in Flink (which
 * quiesces the processing-time service when the input ends, in STREAMING mode).
 */
final class GeneralWindowOperator<K, IN, ACC, V, OUT> extends WindowOperatorBase<K, IN, ACC, V, OUT> {
  private final WindowAssigner<IN, Window> assigner;
  private final Trigger<IN, Window> trigger;
  private final boolean eventTime;
  private final Map<Object, List<Entry<ACC>>> windowsByKey = new HashMap<>();
  private final TimerQueue eventTimers = new TimerQueue();
  private final TimerQueue eventCleanups = new TimerQueue();
  private final TimerQueue processingTimers = new TimerQueue();
  private final TimerQueue processingCleanups = new TimerQueue();
  private final TriggerContext ctx = new TriggerContext();
  private ProcessingTimeWakeUp wakeUp;

  /** One open window of one key. */
  private static final class Entry<ACC> {
    final Window window;
    ACC acc;
    Map<String, Object> triggerValues;

    Entry(Window window) {
      this.window = window;
    }
  }

  /** What a timer refers to: a key's window. */
  private record Slot(Object key, Window window) {}

  @SuppressWarnings("unchecked")
  GeneralWindowOperator(Specs.WindowSpec spec) {
    super(spec);
    this.assigner = (WindowAssigner<IN, Window>) spec.assigner();
    this.trigger = spec.trigger() != null
        ? (Trigger<IN, Window>) spec.trigger()
        : assigner.defaultTrigger();
    this.eventTime = assigner.isEventTime();
  }

  @Override
  public void open() throws Exception {
    super.open();
    wakeUp = new ProcessingTimeWakeUp(context, this::onProcessingTime);
    scheduleWakeUp(); // restored timers
  }

  @Override
  public void collect(IN record, long timestamp) {
    if (eventTime && timestamp == Frame.NO_TIMESTAMP) {
      throw failure(new IllegalStateException(
          "record without timestamp in an event-time window (assign timestamps and watermarks upstream): " + record));
    }
    K key = keyOf(record);
    List<Entry<ACC>> windows = windowsByKey.computeIfAbsent(key, k -> new ArrayList<>(2));
    boolean placed = false;
    for (Window w : assigner.assignWindows(record, timestamp, System.currentTimeMillis())) {
      Entry<ACC> e = assigner.isMerging() ? mergeInto(key, windows, (TimeWindow) w) : find(key, windows, w);
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
    }
    if (windows.isEmpty()) {
      windowsByKey.remove(key);
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

  private Entry<ACC> find(Object key, List<Entry<ACC>> windows, Window w) {
    for (Entry<ACC> e : windows) {
      if (e.window.equals(w)) {
        return e;
      }
    }
    if (isLate(w)) {
      return null;
    }
    return open(key, windows, w);
  }

  private Entry<ACC> open(Object key, List<Entry<ACC>> windows, Window w) {
    Entry<ACC> e = new Entry<>(w);
    windows.add(e);
    long cleanup = cleanupTime(w);
    if (cleanup != Long.MAX_VALUE || eventTime) {
      (eventTime ? eventCleanups : processingCleanups).register(cleanup, new Slot(key, w));
      if (!eventTime) {
        scheduleWakeUp();
      }
    }
    return e;
  }

  /** Merges a session window into the key's overlapping ones; null when the result is late. */
  private Entry<ACC> mergeInto(Object key, List<Entry<ACC>> windows, TimeWindow w) {
    List<Entry<ACC>> overlapping = new ArrayList<>(2);
    TimeWindow merged = w;
    for (Entry<ACC> e : windows) {
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
      return open(key, windows, merged);
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
        drop(key, windows, old);
      }
      Entry<ACC> e = open(key, windows, merged);
      e.acc = acc;
      trigger.onMerge(merged, ctx.merging(key, e, mergedValues));
      return e;
    } catch (io.eddy.runtime.OperatorException ex) {
      throw ex;
    } catch (Exception ex) {
      throw failure(ex);
    }
  }

  private void drop(Object key, List<Entry<ACC>> windows, Entry<ACC> e) {
    windows.remove(e);
    Slot s = new Slot(key, e.window);
    (eventTime ? eventCleanups : processingCleanups).delete(cleanupTime(e.window), s);
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
    windowsByKey.forEach((key, windows) -> {
      io.eddy.serde.DataWriter out = snapshot.keyGroups().section(context.keyGroupOf(key));
      for (Entry<ACC> e : windows) {
        out.writeByte(0);
        any.write(key, out);
        any.write(e.window, out);
        any.write(e.acc, out);
        any.write(e.triggerValues == null ? null : new HashMap<>(e.triggerValues), out);
      }
    });
    TimerQueue[] queues = {eventTimers, eventCleanups, processingTimers, processingCleanups};
    for (int q = 0; q < queues.length; q++) {
      int kind = q + 1;
      queues[q].forEach(t -> {
        Slot s = (Slot) t.key();
        io.eddy.serde.DataWriter out = snapshot.keyGroups().section(context.keyGroupOf(s.key()));
        out.writeByte(kind);
        out.writeLong(t.time());
        any.write(s.key(), out);
        any.write(s.window(), out);
      });
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void restoreState(io.eddy.runtime.OperatorRestore restore) throws Exception {
    io.eddy.serde.Serde<Object> any = context.anySerde();
    TimerQueue[] queues = {eventTimers, eventCleanups, processingTimers, processingCleanups};
    restore.forEachKeyGroup((kg, in) -> {
      while (in.hasRemaining()) {
        int kind = in.readByte();
        if (kind == 0) {
          Object key = any.read(in);
          Entry<ACC> e = new Entry<>((Window) any.read(in));
          e.acc = (ACC) any.read(in);
          e.triggerValues = (Map<String, Object>) any.read(in);
          windowsByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
        } else {
          long time = in.readLong();
          Object key = any.read(in);
          Window w = (Window) any.read(in);
          queues[kind - 1].register(time, new Slot(key, w));
        }
      }
    });
  }

  @Override
  protected void onWatermark(long watermark) {
    currentWatermark = watermark;
    TimerQueue.Timer t;
    while ((t = eventTimers.pollDue(watermark)) != null) {
      fireTimer(t, true);
    }
    while ((t = eventCleanups.pollDue(watermark)) != null) {
      cleanUp(t);
    }
  }

  @Override
  protected void onEndOfInput() {
    wakeUp.stop(); // pending processing-time timers never fire, as in Flink
  }

  private void fireTimer(TimerQueue.Timer t, boolean isEventTime) {
    Slot s = (Slot) t.key();
    Entry<ACC> e = entry(s);
    if (e == null) {
      return;
    }
    try {
      Trigger.Result r = isEventTime
          ? trigger.onEventTime(t.time(), e.window, ctx.at(s.key(), e))
          : trigger.onProcessingTime(t.time(), e.window, ctx.at(s.key(), e));
      handle(s.key(), e, r);
    } catch (io.eddy.runtime.OperatorException ex) {
      throw ex;
    } catch (Exception ex) {
      throw failure(ex);
    }
  }

  private void cleanUp(TimerQueue.Timer t) {
    Slot s = (Slot) t.key();
    List<Entry<ACC>> windows = windowsByKey.get(s.key());
    Entry<ACC> e = entry(s);
    if (e == null) {
      return;
    }
    try {
      trigger.clear(e.window, ctx.at(s.key(), e));
    } catch (Exception ex) {
      throw failure(ex);
    }
    windows.remove(e);
    if (windows.isEmpty()) {
      windowsByKey.remove(s.key());
    }
  }

  private Entry<ACC> entry(Slot s) {
    List<Entry<ACC>> windows = windowsByKey.get(s.key());
    if (windows == null) {
      return null;
    }
    for (Entry<ACC> e : windows) {
      if (e.window.equals(s.window())) {
        return e;
      }
    }
    return null;
  }

  private void onProcessingTime() {
    long now = System.currentTimeMillis();
    TimerQueue.Timer t;
    while ((t = processingTimers.pollDue(now)) != null) {
      fireTimer(t, false);
    }
    while ((t = processingCleanups.pollDue(now)) != null) {
      cleanUp(t);
    }
    scheduleWakeUp();
  }

  private void scheduleWakeUp() {
    wakeUp.request(Math.min(processingTimers.nextTime(), processingCleanups.nextTime()));
  }

  @Override
  public void close() throws Exception {
    if (wakeUp != null) {
      wakeUp.stop();
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
      eventTimers.register(time, new Slot(key, entry.window));
    }

    @Override
    public void deleteEventTimeTimer(long time) {
      eventTimers.delete(time, new Slot(key, entry.window));
    }

    @Override
    public void registerProcessingTimeTimer(long time) {
      processingTimers.register(time, new Slot(key, entry.window));
      scheduleWakeUp();
    }

    @Override
    public void deleteProcessingTimeTimer(long time) {
      processingTimers.delete(time, new Slot(key, entry.window));
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
