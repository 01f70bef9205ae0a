package io.eddy.api;

/** Combines a pair of a window join into one record. */
@FunctionalInterface
public interface JoinFunction<A, B, O> extends java.io.Serializable {
  O join(A left, B right) throws Exception;
}
