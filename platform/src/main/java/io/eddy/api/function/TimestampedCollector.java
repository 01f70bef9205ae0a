package io.eddy.api.function;

/**
 * A {@link Collector} that can also give what it emits another timestamp than the one of the
 * record being processed. The collector a keyed process function receives is one; built-in
 * functions such as the interval join use it to stamp results as Flink does.
 */
public interface TimestampedCollector<T> extends Collector<T> {
  /** Emits {@code record} with {@code timestamp} as its event time. */
  void collectWithTimestamp(T record, long timestamp);
}
