package io.eddy.runtime.operators;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.TimerService;
import io.eddy.api.function.Collector;
import io.eddy.api.function.KeySelector;
import io.eddy.runtime.OperatorException;
import io.eddy.state.TimerStore;

/**
 * Runs a {@link KeyedProcessFunction}: records with their key current, and the function's timers
 * (one {@link KeyedTimers} queue, namespace-less). Event-time timers fire when a watermark reaches
 * them, before the watermark is passed on, so downstream sees their output ahead of the watermark.
 * Processing-time timers fire from an event-loop timer set for the earliest one; those still
 * pending when a bounded input ends never fire, as in Flink's STREAMING mode. What a record's
 * processing or an event-time timer emits carries the record's or the timer's time; what a
 * processing-time timer emits carries none.
 */
public final class KeyedProcessOperator<K, IN, OUT> extends KeyedOperator<K, IN, OUT>
    implements KeyedProcessFunction.Context<K>, TimerService, io.eddy.api.function.TimestampedCollector<OUT> {
  private final KeyedProcessFunction<K, IN, OUT> function;
  private KeyedTimers timers;
  private KeyedTimers.Queue queue;
  private long currentWatermark = Long.MIN_VALUE;
  private long timestamp;
  private long outputTimestamp; // what emitted records carry: none for processing-time timers, as in Flink

  public KeyedProcessOperator(KeySelector<IN, K> key, KeyedProcessFunction<K, IN, OUT> function) {
    super(key);
    this.function = function;
  }

  @Override
  public void open() throws Exception {
    super.open();
    timers().start(); // restored timers
  }

  /** Created at restore or open, whichever comes first (the context is set by then). */
  private KeyedTimers timers() {
    if (timers == null) {
      timers = KeyedTimers.of(context, null, (q, domain, t) ->
          fire(t, domain == KeyedTimers.Domain.EVENT_TIME ? t.time() : io.eddy.record.Frame.NO_TIMESTAMP));
      queue = timers.queue("timers");
    }
    return timers;
  }

  @Override
  protected void process(K key, IN record, long timestamp) {
    this.timestamp = timestamp;
    this.outputTimestamp = timestamp;
    try {
      function.processElement(record, this, this);
    } catch (OperatorException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  @Override
  protected void onWatermark(long watermark) {
    currentWatermark = watermark;
    timers.advanceWatermark(watermark, this::yieldIfOutputFull); // resumed with this watermark if it yields
  }

  @Override
  protected void onEndOfInput() {
    timers.endOfInput();
  }

  @Override
  public void close() throws Exception {
    if (timers != null) {
      timers.close();
    }
    super.close();
  }

  private void fire(TimerStore.Timer t, long outputTimestamp) {
    state.setCurrentKey(t.key());
    timestamp = t.time();
    this.outputTimestamp = outputTimestamp;
    try {
      function.onTimer(t.time(), this, this);
    } catch (OperatorException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  @Override
  public void snapshotState(io.eddy.runtime.OperatorSnapshot snapshot) throws Exception {
    super.snapshotState(snapshot);
    timers.snapshot(snapshot.keyGroups(), context::keyGroupOf, context.anySerde());
  }

  @Override
  public void restoreState(io.eddy.runtime.OperatorRestore restore) throws Exception {
    io.eddy.serde.Serde<Object> any = context.anySerde();
    KeyedTimers t = timers();
    restore.forEachKeyGroup((kg, in) -> {
      while (in.hasRemaining()) {
        t.restore(in.readByte(), in, any);
      }
    });
  }

  // Context

  @Override
  @SuppressWarnings("unchecked")
  public K currentKey() {
    return (K) state.currentKey();
  }

  @Override
  public long timestamp() {
    return timestamp;
  }

  @Override
  public TimerService timerService() {
    return this;
  }

  // TimerService

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
    queue.registerEventTime(time, state.currentKey(), null);
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    queue.deleteEventTime(time, state.currentKey(), null);
  }

  @Override
  public void registerProcessingTimeTimer(long time) {
    queue.registerProcessingTime(time, state.currentKey(), null);
  }

  @Override
  public void deleteProcessingTimeTimer(long time) {
    queue.deleteProcessingTime(time, state.currentKey(), null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <X> void output(io.eddy.api.OutputTag<X> tag, X value) {
    ((io.eddy.runtime.Output<X>) (io.eddy.runtime.Output<?>) context.sideOutput(tag.id())).collect(value, outputTimestamp);
  }

  // Collector

  @Override
  public void collect(OUT record) {
    output.collect(record, outputTimestamp);
  }

  @Override
  public void collectWithTimestamp(OUT record, long timestamp) {
    output.collect(record, timestamp);
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
