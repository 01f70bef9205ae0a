package io.eddy.runtime;

import io.eddy.serde.DataReader;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What one operator gets back from a checkpoint before it opens: the sections of its key groups
 * (from every old subtask that held them) and its operator state, already redistributed for this
 * subtask. Read on the event loop during the task's start.
 */
public final class OperatorRestore {
  private final List<KeyGroupSource> keyGroupSources;
  private final Map<String, List<byte[]>> operatorState;
  private final long checkpointId;

  /** A source of key-group sections: one old subtask's file, filtered to this subtask's range. */
  interface KeyGroupSource {
    void forEach(BiConsumer<Integer, DataReader> reader) throws Exception;
  }

  OperatorRestore(long checkpointId, List<KeyGroupSource> keyGroupSources, Map<String, List<byte[]>> operatorState) {
    this.checkpointId = checkpointId;
    this.keyGroupSources = keyGroupSources;
    this.operatorState = operatorState;
  }

  public long checkpointId() {
    return checkpointId;
  }

  /** Hands every restored section of this subtask's key groups to {@code reader}. */
  public void forEachKeyGroup(BiConsumer<Integer, DataReader> reader) throws Exception {
    for (KeyGroupSource s : keyGroupSources) {
      s.forEach(reader);
    }
  }

  /** The names of the operator state this subtask got back. */
  public java.util.Set<String> operatorStateNames() {
    return operatorState.keySet();
  }

  /** The entries of a piece of operator state for this subtask (empty if none). */
  public List<byte[]> operatorState(String name) {
    return operatorState.getOrDefault(name, List.of());
  }
}
