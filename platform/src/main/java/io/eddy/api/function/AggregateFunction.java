package io.eddy.api.function;

/**
 * Incremental aggregation with an accumulator, as in Flink: {@link #createAccumulator} starts a
 * key's (or window's) aggregate, {@link #add} folds a record into it (returning the accumulator,
 * which may be the same mutated object), {@link #getResult} reads the result, and {@link #merge}
 * combines two accumulators (used by merging windows and rescaling). Called on the task's
 * event-loop thread; must not block.
 */
public interface AggregateFunction<IN, ACC, OUT> extends java.io.Serializable {
  ACC createAccumulator();

  ACC add(IN value, ACC accumulator);

  OUT getResult(ACC accumulator);

  ACC merge(ACC a, ACC b);
}
