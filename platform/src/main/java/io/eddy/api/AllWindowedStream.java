package io.eddy.api;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.ReduceFunction;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.Trigger;
import io.eddy.time.Window;
import java.time.Duration;

/**
 * Windows over a whole (non-keyed) stream, evaluated by a single subtask: the records are keyed by
 * one constant key, so the window operator runs at parallelism 1.
 */
public final class AllWindowedStream<T, W extends Window> {
  private final WindowedStream<Integer, T, W> windows;

  AllWindowedStream(WindowedStream<Integer, T, W> windows) {
    this.windows = windows;
  }

  public AllWindowedStream<T, W> trigger(Trigger<? super T, W> trigger) {
    windows.trigger(trigger);
    return this;
  }

  public AllWindowedStream<T, W> allowedLateness(Duration lateness) {
    windows.allowedLateness(lateness);
    return this;
  }

  public AllWindowedStream<T, W> sideOutputLateData(OutputTag<T> tag) {
    windows.sideOutputLateData(tag);
    return this;
  }

  public <ACC, R> DataStream<R> aggregate(AggregateFunction<T, ACC, R> function) {
    return windows.aggregate(function).parallelism(1);
  }

  public DataStream<T> reduce(ReduceFunction<T> function) {
    return windows.reduce(function).parallelism(1);
  }

  public <R> DataStream<R> process(ProcessWindowFunction<T, R, Integer, W> function) {
    return windows.process(function).parallelism(1);
  }
}
