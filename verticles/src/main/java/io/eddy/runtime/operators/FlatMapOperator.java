package io.eddy.runtime.operators;

import io.eddy.api.function.Collector;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.runtime.OperatorException;
import io.eddy.runtime.StreamOperator;

/** Applies a {@link FlatMapFunction}; its outputs keep the input record's timestamp. */
public final class FlatMapOperator<IN, OUT> extends StreamOperator<IN, OUT> implements Collector<OUT> {
  private final FlatMapFunction<IN, OUT> function;
  private long timestamp;

  public FlatMapOperator(FlatMapFunction<IN, OUT> function) {
    this.function = function;
  }

  @Override
  public void collect(IN record, long timestamp) {
    this.timestamp = timestamp;
    try {
      function.flatMap(record, this);
    } catch (OperatorException e) {
      throw e; // from an operator further down the chain: already named
    } catch (Exception e) {
      throw failure(e);
    }
  }

  @Override
  public void collect(OUT record) {
    output.collect(record, timestamp);
  }

  @Override
  protected Object userFunction() {
    return function;
  }
}
