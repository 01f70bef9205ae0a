package io.eddy.api.function;

/** Keeps the records for which {@link #filter} returns true. Same threading contract as {@link MapFunction}. */
@FunctionalInterface
public interface FilterFunction<T> extends java.io.Serializable {
  boolean filter(T value) throws Exception;
}
