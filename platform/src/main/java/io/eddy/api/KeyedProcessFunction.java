package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/**
 * Processes the records of a keyed stream one at a time with access to keyed state and timers, as
 * Flink's function of the same name.
 *
 * <p>{@link #processElement} is called for every record with the record's key as the current key;
 * {@link #onTimer} when a timer registered for a key fires (event-time timers when the watermark
 * passes their time, processing-time timers when the wall clock does), again with that key
 * current. Both run on the task's event-loop thread, never concurrently, and must not block. State
 * obtained in {@link RichFunction#open} follows the current key. What a call emits carries the
 * record's timestamp, or the event-time timer's; what a processing-time timer emits carries none
 * (as in Flink).
 */
public abstract class KeyedProcessFunction<K, I, O> implements RichFunction {

  public abstract void processElement(I value, Context<K> ctx, Collector<O> out) throws Exception;

  public void onTimer(long timestamp, Context<K> ctx, Collector<O> out) throws Exception {}

  /** What a call may see and do besides emitting records. Valid only during the call. */
  public interface Context<K> {
    K currentKey();

    /** The timestamp of the record (or fired timer), or {@link Long#MIN_VALUE} when it has none. */
    long timestamp();

    TimerService timerService();

    /** Emits into a side output, read with {@link DataStream#sideOutput(OutputTag)}. */
    <X> void output(OutputTag<X> tag, X value);
  }
}
