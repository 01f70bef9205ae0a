package io.eddy.runtime;

import io.eddy.checkpoint.KeyGroupSections;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one operator puts into one checkpoint, collected on the event loop at the barrier: its own
 * keyed structures by key group ({@link #keyGroups()}), operator (non-keyed) state as lists of
 * entries ({@link #operatorState}), and asynchronous work the checkpoint must wait for (a sink's
 * pre-commit). The keyed state backend is snapshotted by the task itself.
 */
public final class OperatorSnapshot {
  private final long checkpointId;
  private final KeyGroupSections keyGroups = new KeyGroupSections();
  private final Map<String, OperatorStateEntries> operatorState = new LinkedHashMap<>();
  private final List<Future<?>> pending = new ArrayList<>();

  /** Entries of a piece of operator state and how they are redistributed on restore. */
  public record OperatorStateEntries(boolean union, List<byte[]> entries) {}

  OperatorSnapshot(long checkpointId) {
    this.checkpointId = checkpointId;
  }

  public long checkpointId() {
    return checkpointId;
  }

  /** Sections by key group for state the operator keeps in its own structures. */
  public KeyGroupSections keyGroups() {
    return keyGroups;
  }

  /**
   * Operator state: on restore, {@code union} gives every new subtask all entries of all old
   * subtasks; otherwise the entries are split evenly (round robin) over the new subtasks.
   */
  public void operatorState(String name, List<byte[]> entries, boolean union) {
    operatorState.put(name, new OperatorStateEntries(union, entries));
  }

  /** The checkpoint is acknowledged only after {@code work} succeeds. */
  public void await(Future<?> work) {
    pending.add(work);
  }

  Map<String, OperatorStateEntries> operatorStates() {
    return operatorState;
  }

  List<Future<?>> pending() {
    return pending;
  }
}
