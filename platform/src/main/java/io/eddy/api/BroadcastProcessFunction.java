package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RichFunction;
import java.util.Map;

/**
 * Connects a stream with a broadcast stream (rules, configuration): every subtask sees every
 * broadcast record and keeps what it learns in broadcast state, a map per subtask that only the
 * broadcast side may change, so all subtasks hold the same state. Calls never overlap.
 */
public abstract class BroadcastProcessFunction<A, B, O> implements RichFunction {
  public abstract void processElement(A value, ReadOnlyContext ctx, Collector<O> out) throws Exception;

  public abstract void processBroadcastElement(B value, Context ctx, Collector<O> out) throws Exception;

  /** The view of the non-broadcast side: broadcast state is read-only. */
  public interface ReadOnlyContext extends ProcessFunction.Context {
    /** The broadcast state of that name, unmodifiable. */
    <K, V> Map<K, V> broadcastState(String name);
  }

  /** The view of the broadcast side: broadcast state may change. */
  public interface Context extends ProcessFunction.Context {
    <K, V> Map<K, V> broadcastState(String name);
  }
}
