package io.eddy.api.function;

/**
 * Combines two values of the same key into one. Must be associative; the first argument is the
 * accumulated value, the second the new record. May return (and mutate) the first argument.
 */
@FunctionalInterface
public interface ReduceFunction<T> extends java.io.Serializable {
  T reduce(T accumulated, T value) throws Exception;
}
