package io.eddy.api.function;

/**
 * Optional lifecycle for any user function. {@link #open} is called once per subtask on the task's
 * event-loop thread before the first record, {@link #close} once after the last (also when the
 * task fails or is cancelled). Every subtask builds its own instance of the job graph, so fields
 * of a function are private to one subtask.
 *
 * <p>Function types are {@code Serializable} (as in Flink) only so that a lambda or method reference
 * carries a {@code SerializedLambda}, from which {@link io.eddy.graph.TypeExtraction} reads its types;
 * Eddy never serializes a function.
 */
public interface RichFunction extends java.io.Serializable {
  default void open(RuntimeContext context) throws Exception {}

  default void close() throws Exception {}

  /**
   * Called on the event loop when checkpoint {@code checkpointId} is taken, before the state is
   * copied: write in-memory structures into keyed or operator state here.
   */
  default void snapshotState(long checkpointId) throws Exception {}
}
