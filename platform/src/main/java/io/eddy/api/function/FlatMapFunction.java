package io.eddy.api.function;

/**
 * Transforms one record into zero or more records, emitted through the collector before the call
 * returns. The collector must not be kept beyond the call. Same threading contract as
 * {@link MapFunction}.
 */
@FunctionalInterface
public interface FlatMapFunction<T, R> extends java.io.Serializable {
  void flatMap(T value, Collector<R> out) throws Exception;
}
