package io.eddy.runtime.operators;

import io.eddy.runtime.StreamOperator;

/** Forwards everything unchanged: the union of several inputs. */
public final class PassThroughOperator<T> extends StreamOperator<T, T> {
  @Override
  public void collect(T record, long timestamp) {
    output.collect(record, timestamp);
  }
}
