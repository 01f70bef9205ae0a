package io.eddy.api.state;

/**
 * State of one subtask that is not scoped to a key: lists of elements that a checkpoint records
 * and a restore hands back, redistributed when the parallelism changes. With
 * {@link #getListState} the elements of all old subtasks are split evenly (round robin) over the
 * new ones; with {@link #getUnionListState} every new subtask gets all of them (as broadcast state
 * and source offsets need). Confined to the task's event-loop thread; ask for the states in
 * {@code open} and keep the handles. Copy in-memory structures into them in
 * {@link io.eddy.api.function.RichFunction#snapshotState}.
 */
public interface OperatorStateStore {
  <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

  <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor);
}
