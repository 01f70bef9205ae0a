package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/** Receives each pair of an interval join; may emit any number of records. */
public abstract class ProcessJoinFunction<A, B, O> implements RichFunction {
  public abstract void processElement(A left, B right, Collector<O> out) throws Exception;
}
