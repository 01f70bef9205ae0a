package io.eddy.runtime.operators;

import io.eddy.api.function.FilterFunction;
import io.eddy.runtime.StreamOperator;

/** Passes on the records a {@link FilterFunction} accepts. */
public final class FilterOperator<T> extends StreamOperator<T, T> {
  private final FilterFunction<T> function;

  public FilterOperator(FilterFunction<T> function) {
    this.function = function;
  }

  @Override
  public void collect(T record, long timestamp) {
    boolean keep;
    try {
      keep = function.filter(record);
    } catch (Exception e) {
      throw failure(e);
    }
    if (keep) {
      output.collect(record, timestamp);
    }
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
