package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;

/**
 * Processes two streams connected by key: records of both sides with equal keys meet on one
 * subtask with the same keyed state and timers, as in Flink's function of the same name.
 */
public abstract class KeyedCoProcessFunction<K, A, B, O> implements RichFunction {
  public abstract void processElement1(A value, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception;

  public abstract void processElement2(B value, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception;

  public void onTimer(long timestamp, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception {}
}
