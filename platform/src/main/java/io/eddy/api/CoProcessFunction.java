package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/**
 * Processes the records of two connected streams, each with its own method. Calls never overlap
 * and run on the task's event-loop thread; they must not block.
 */
public abstract class CoProcessFunction<A, B, O> implements RichFunction {
  public abstract void processElement1(A value, ProcessFunction.Context ctx, Collector<O> out) throws Exception;

  public abstract void processElement2(B value, ProcessFunction.Context ctx, Collector<O> out) throws Exception;
}
