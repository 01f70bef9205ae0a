package io.eddy.graph;

/**
 * What one node of the logical graph does, as plain data: the kind of operator and the user
 * functions it applies. The runtime turns a spec into a running operator; the API and the graph
 * never see runtime classes. Specs are immutable records; add a record to add an operator kind.
 */
public interface OperatorSpec {
  /** A short word for messages and the dashboard: "map", "filter", "source"... */
  String kind();

  /** True when the operator reads keyed state and so needs a keyed input. */
  default boolean keyed() {
    return false;
  }
}
