package io.eddy.runtime.operators;

import io.eddy.api.function.MapFunction;
import io.eddy.runtime.StreamOperator;

/** Applies a {@link MapFunction} to every record. */
public final class MapOperator<IN, OUT> extends StreamOperator<IN, OUT> {
  private final MapFunction<IN, OUT> function;

  public MapOperator(MapFunction<IN, OUT> function) {
    this.function = function;
  }

  @Override
  public void collect(IN record, long timestamp) {
    OUT result;
    try {
      result = function.map(record);
    } catch (Exception e) {
      throw failure(e);
    }
    output.collect(result, timestamp);
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
