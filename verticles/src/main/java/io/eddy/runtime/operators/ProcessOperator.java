package io.eddy.runtime.operators;

import io.eddy.api.OutputTag;
import io.eddy.api.ProcessFunction;
import io.eddy.api.function.Collector;
import io.eddy.runtime.OperatorException;
import io.eddy.runtime.StreamOperator;

/** Runs a non-keyed {@link ProcessFunction}; outputs keep the input record's timestamp. */
public final class ProcessOperator<IN, OUT> extends StreamOperator<IN, OUT>
    implements ProcessFunction.Context, Collector<OUT> {
  private final ProcessFunction<IN, OUT> function;
  private long timestamp;
  private long currentWatermark = Long.MIN_VALUE;

  public ProcessOperator(ProcessFunction<IN, OUT> function) {
    this.function = function;
  }

  @Override
  public void collect(IN record, long timestamp) {
    this.timestamp = timestamp;
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
  }

  @Override
  public long timestamp() {
    return timestamp;
  }

  @Override
  public long currentWatermark() {
    return currentWatermark;
  }

  @Override
  public <X> void output(OutputTag<X> tag, X value) {
    context.sideOutput(tag.id()).collect(value, timestamp);
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
