package io.eddy.time;

import java.time.Duration;

/** The built-in triggers. */
public final class Triggers {
  private Triggers() {}

  /** Fires when the watermark passes the window's end; late records within lateness re-fire. */
  @SuppressWarnings("unchecked")
  public static <T, W extends Window> Trigger<T, W> eventTime() {
    return (Trigger<T, W>) EventTime.INSTANCE;
  }

  /** Fires when the clock passes the window's end. */
  @SuppressWarnings("unchecked")
  public static <T, W extends Window> Trigger<T, W> processingTime() {
    return (Trigger<T, W>) ProcessingTime.INSTANCE;
  }

  /** Never fires: for global windows without a trigger of their own. */
  @SuppressWarnings("unchecked")
  public static <T, W extends Window> Trigger<T, W> never() {
    return (Trigger<T, W>) Never.INSTANCE;
  }

  /** Fires every {@code count} records of a key and window. */
  public static <T, W extends Window> Trigger<T, W> count(long count) {
    if (count <= 0) {
      throw new IllegalArgumentException("count trigger needs a positive count, got " + count);
    }
    return new Count<>(count);
  }

  /**
   * Early firings: fires whenever the watermark passes a multiple of {@code interval} while the
   * window is open (once per multiple, capped at the window's last millisecond), and at its end as
   * the event-time trigger does; as Flink's {@code ContinuousEventTimeTrigger}.
   */
  public static <T, W extends Window> Trigger<T, W> continuousEventTime(Duration interval) {
    long ms = interval.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("continuous trigger needs a positive interval, got " + interval);
    }
    return new ContinuousEventTime<>(ms);
  }

  /** Turns every firing of {@code trigger} into fire-and-purge, so each result covers new records only. */
  public static <T, W extends Window> Trigger<T, W> purging(Trigger<T, W> trigger) {
    return new Purging<>(trigger);
  }

  private enum EventTime implements Trigger<Object, Window> {
    INSTANCE;

    @Override
    public Result onElement(Object r, long ts, Window w, Context ctx) {
      if (w.maxTimestamp() <= ctx.currentWatermark()) {
        return Result.FIRE; // a late record within the allowed lateness
      }
      ctx.registerEventTimeTimer(w.maxTimestamp());
      return Result.CONTINUE;
    }

    @Override
    public Result onEventTime(long time, Window w, Context ctx) {
      return time == w.maxTimestamp() ? Result.FIRE : Result.CONTINUE;
    }

    @Override
    public Result onProcessingTime(long time, Window w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public void clear(Window w, Context ctx) {
      ctx.deleteEventTimeTimer(w.maxTimestamp());
    }

    @Override
    public boolean canMerge() {
      return true;
    }

    @Override
    public void onMerge(Window w, MergeContext ctx) {
      if (w.maxTimestamp() > ctx.currentWatermark()) {
        ctx.registerEventTimeTimer(w.maxTimestamp());
      }
    }
  }

  private enum ProcessingTime implements Trigger<Object, Window> {
    INSTANCE;

    @Override
    public Result onElement(Object r, long ts, Window w, Context ctx) {
      ctx.registerProcessingTimeTimer(w.maxTimestamp());
      return Result.CONTINUE;
    }

    @Override
    public Result onEventTime(long time, Window w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public Result onProcessingTime(long time, Window w, Context ctx) {
      return Result.FIRE;
    }

    @Override
    public void clear(Window w, Context ctx) {
      ctx.deleteProcessingTimeTimer(w.maxTimestamp());
    }

    @Override
    public boolean canMerge() {
      return true;
    }

    @Override
    public void onMerge(Window w, MergeContext ctx) {
      ctx.registerProcessingTimeTimer(w.maxTimestamp());
    }
  }

  private enum Never implements Trigger<Object, Window> {
    INSTANCE;

    @Override
    public Result onElement(Object r, long ts, Window w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public Result onEventTime(long time, Window w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public Result onProcessingTime(long time, Window w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public boolean canMerge() {
      return true;
    }

    @Override
    public void onMerge(Window w, MergeContext ctx) {}
  }

  private static final class Count<T, W extends Window> implements Trigger<T, W> {
    private final long count;

    Count(long count) {
      this.count = count;
    }

    @Override
    public Result onElement(T r, long ts, W w, Context ctx) {
      Long seen = (Long) ctx.value("count");
      long n = seen == null ? 1 : seen + 1;
      if (n >= count) {
        ctx.value("count", null);
        return Result.FIRE;
      }
      ctx.value("count", n);
      return Result.CONTINUE;
    }

    @Override
    public Result onEventTime(long time, W w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public Result onProcessingTime(long time, W w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public void clear(W w, Context ctx) {
      ctx.value("count", null);
    }

    @Override
    public boolean canMerge() {
      return true;
    }

    @Override
    public void onMerge(W w, MergeContext ctx) {
      long sum = 0;
      for (Object o : ctx.mergedValues("count")) {
        sum += o == null ? 0 : (Long) o;
      }
      ctx.value("count", sum == 0 ? null : sum);
    }
  }

  /**
   * Fires at the multiples of the interval (the first one after the window's first record) and at
   * the window's end, as Flink's ContinuousEventTimeTrigger: every firing time is capped at the
   * window's last millisecond, and a watermark that jumps over several multiples fires once for
   * each of them, in order.
   */
  private static final class ContinuousEventTime<T, W extends Window> implements Trigger<T, W> {
    private final long interval;

    ContinuousEventTime(long interval) {
      this.interval = interval;
    }

    @Override
    public Result onElement(T r, long ts, W w, Context ctx) {
      if (w.maxTimestamp() <= ctx.currentWatermark()) {
        return Result.FIRE;
      }
      ctx.registerEventTimeTimer(w.maxTimestamp());
      if (ctx.value("next") == null) {
        registerNext(ts - ts % interval, w, ctx);
      }
      return Result.CONTINUE;
    }

    /** The next firing: {@code from + interval}, at most the window's last millisecond. */
    private void registerNext(long from, W w, Context ctx) {
      long max = w.maxTimestamp();
      if (max == Long.MAX_VALUE && ctx.currentWatermark() == Long.MAX_VALUE) {
        // a window without end (global) at the end of input: Flink would fire once per interval up
        // to Long.MAX_VALUE, without end; the firing at the window's end comes next instead
        ctx.value("next", max);
        return;
      }
      long next = from > max - interval ? max : Math.min(from + interval, max);
      ctx.value("next", next);
      ctx.registerEventTimeTimer(next);
    }

    @Override
    public Result onEventTime(long time, W w, Context ctx) {
      if (time == w.maxTimestamp()) {
        return Result.FIRE;
      }
      Long next = (Long) ctx.value("next");
      if (next != null && next == time) {
        registerNext(time, w, ctx);
        return Result.FIRE;
      }
      return Result.CONTINUE;
    }

    @Override
    public Result onProcessingTime(long time, W w, Context ctx) {
      return Result.CONTINUE;
    }

    @Override
    public void clear(W w, Context ctx) {
      Long next = (Long) ctx.value("next");
      if (next != null) {
        ctx.deleteEventTimeTimer(next);
        ctx.value("next", null);
      }
    }

    @Override
    public boolean canMerge() {
      return true;
    }

    @Override
    public void onMerge(W w, MergeContext ctx) {
      Long min = null;
      for (Object o : ctx.mergedValues("next")) {
        if (o != null && (min == null || (Long) o < min)) {
          min = (Long) o;
        }
      }
      ctx.value("next", min);
      if (min != null) {
        ctx.registerEventTimeTimer(min);
      }
    }
  }

  private static final class Purging<T, W extends Window> implements Trigger<T, W> {
    private final Trigger<T, W> inner;

    Purging(Trigger<T, W> inner) {
      this.inner = inner;
    }

    private static Result purge(Result r) {
      return r.isFire() ? Result.FIRE_AND_PURGE : r;
    }

    @Override
    public Result onElement(T r, long ts, W w, Context ctx) throws Exception {
      return purge(inner.onElement(r, ts, w, ctx));
    }

    @Override
    public Result onEventTime(long time, W w, Context ctx) throws Exception {
      return purge(inner.onEventTime(time, w, ctx));
    }

    @Override
    public Result onProcessingTime(long time, W w, Context ctx) throws Exception {
      return purge(inner.onProcessingTime(time, w, ctx));
    }

    @Override
    public void clear(W w, Context ctx) throws Exception {
      inner.clear(w, ctx);
    }

    @Override
    public boolean canMerge() {
      return inner.canMerge();
    }

    @Override
    public void onMerge(W w, MergeContext ctx) throws Exception {
      inner.onMerge(w, ctx);
    }
  }
}
