package io.eddy.graph;

/**
 * What one node of the logical graph does, as plain data: the kind of operator and the user
 * functions it applies. The runtime turns a spec into a running operator; the API and the graph
 * never see runtime classes. Specs are immutable records; add a record to add an operator kind.
 */
public interface OperatorSpec {
  /** A short word for messages and the dashboard: "map", "filter", "source"... */
  String kind();

  /**
   * Checks the spec's settings when the job is planned, so a bad window size or lateness stops the
   * job at submission; throws {@link IllegalArgumentException} whose message names the operator.
   */
  default void validate(String operatorName) {}

  /**
   * True when the operator must be the head of its chain (never chained to its input): it stops
   * its task from taking input while it has no room, and a task can only stop between two input
   * records, not inside the records a chained predecessor emits for one.
   */
  default boolean startsChain() {
    return false;
  }

  /** True when the operator reads keyed state and so needs a keyed input. */
  default boolean keyed() {
    return false;
  }
}
