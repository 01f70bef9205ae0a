package io.eddy.runtime.operators;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.TimerService;
import io.eddy.api.function.Collector;
import io.eddy.api.function.KeySelector;
import io.eddy.runtime.OperatorException;
import io.eddy.time.TimerQueue;

/**
 * Runs a {@link KeyedProcessFunction}: records with their key current, and the function's timers.
 * Event-time timers fire when a watermark reaches them, before the watermark is passed on, so
 * downstream sees their output ahead of the watermark. Processing-time timers fire from an
 * event-loop timer set for the earliest one; those still pending when a bounded input ends never
 * fire, as in Flink's STREAMING mode. What a record's processing or an event-time timer emits
 * carries the record's or the timer's time; what a processing-time timer emits carries none.
 */
public final class KeyedProcessOperator<K, IN, OUT> extends KeyedOperator<K, IN, OUT>
    implements KeyedProcessFunction.Context<K>, TimerService, io.eddy.api.function.TimestampedCollector<OUT> {
  private final KeyedProcessFunction<K, IN, OUT> function;
  private final TimerQueue eventTimers = new TimerQueue();
  private final TimerQueue processingTimers = new TimerQueue();
  private long currentWatermark = Long.MIN_VALUE;
  private long timestamp;
  private long outputTimestamp; // what emitted records carry: none for processing-time timers, as in Flink
  private ProcessingTimeWakeUp wakeUp;

  public KeyedProcessOperator(KeySelector<IN, K> key, KeyedProcessFunction<K, IN, OUT> function) {
    super(key);
    this.function = function;
  }

  @Override
  public void open() throws Exception {
    super.open();
    wakeUp = new ProcessingTimeWakeUp(context, this::fireProcessingTimers);
    wakeUp.request(processingTimers.nextTime()); // restored timers
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
    TimerQueue.Timer t;
    while ((t = eventTimers.pollDue(watermark)) != null) {
      fire(t, t.time());
    }
  }

  @Override
  protected void onEndOfInput() {
    wakeUp.stop();
  }

  @Override
  public void close() throws Exception {
    if (wakeUp != null) {
      wakeUp.stop();
    }
    super.close();
  }

  private void fire(TimerQueue.Timer t, long outputTimestamp) {
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
    io.eddy.serde.Serde<Object> any = context.anySerde();
    writeTimers(snapshot, eventTimers, 0, any);
    writeTimers(snapshot, processingTimers, 1, any);
  }

  private void writeTimers(io.eddy.runtime.OperatorSnapshot snapshot, TimerQueue q, int domain, io.eddy.serde.Serde<Object> any) {
    q.forEach(t -> {
      io.eddy.serde.DataWriter out = snapshot.keyGroups().section(context.keyGroupOf(t.key()));
      out.writeByte(domain);
      out.writeLong(t.time());
      any.write(t.key(), out);
    });
  }

  @Override
  public void restoreState(io.eddy.runtime.OperatorRestore restore) throws Exception {
    io.eddy.serde.Serde<Object> any = context.anySerde();
    restore.forEachKeyGroup((kg, in) -> {
      while (in.hasRemaining()) {
        int domain = in.readByte();
        long time = in.readLong();
        Object key = any.read(in);
        (domain == 0 ? eventTimers : processingTimers).register(time, key);
      }
    });
  }

  private void fireProcessingTimers() {
    TimerQueue.Timer t;
    while ((t = processingTimers.pollDue(System.currentTimeMillis())) != null) {
      fire(t, io.eddy.record.Frame.NO_TIMESTAMP);
    }
    wakeUp.request(processingTimers.nextTime());
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
    eventTimers.register(time, state.currentKey());
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    eventTimers.delete(time, state.currentKey());
  }

  @Override
  public void registerProcessingTimeTimer(long time) {
    processingTimers.register(time, state.currentKey());
    wakeUp.request(time);
  }

  @Override
  public void deleteProcessingTimeTimer(long time) {
    processingTimers.delete(time, state.currentKey());
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
