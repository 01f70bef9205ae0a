package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/**
 * Processes each record of a (non-keyed) stream with access to its timestamp, the current
 * watermark and side outputs. Called on the task's event-loop thread; must not block.
 */
public abstract class ProcessFunction<I, O> implements RichFunction {
  public abstract void processElement(I value, Context ctx, Collector<O> out) throws Exception;

  /** What a call may see besides the record. Valid only during the call. */
  public interface Context {
    /** The record's timestamp, or {@link Long#MIN_VALUE} if it has none. */
    long timestamp();

    long currentWatermark();

    /** Emits into a side output, read with {@link DataStream#sideOutput(OutputTag)}. */
    <X> void output(OutputTag<X> tag, X value);
  }
}
