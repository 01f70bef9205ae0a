package io.eddy.api.function;

/** Receives the records a function emits. Valid only during the call that was handed it. */
@FunctionalInterface
public interface Collector<T> {
  void collect(T record);
}
