package io.eddy.time;

import io.eddy.api.OutputTag;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/**
 * Computes a window's output from its contents when the window fires: all its records (for
 * {@code process}), or the single pre-aggregated result (when combined with an incremental
 * {@code aggregate} or {@code reduce}). Called on the task's event-loop thread; must not block.
 * Outputs carry the window's {@link Window#maxTimestamp()} as their timestamp.
 */
public abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> implements RichFunction {

  public abstract void process(K key, Context<W> ctx, Iterable<IN> elements, Collector<OUT> out) throws Exception;

  /** What a firing may see besides the elements. Valid only during the call. */
  public interface Context<W extends Window> {
    W window();

    long currentWatermark();

    long currentProcessingTime();

    /** Emits into a side output. */
    <X> void output(OutputTag<X> tag, X value);
  }
}
