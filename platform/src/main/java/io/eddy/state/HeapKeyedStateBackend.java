package io.eddy.state;

import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyed state in hash maps, one map per key group and state, so a snapshot or a rescale can take
 * whole key groups. Confined to the task's event-loop thread.
 */
public final class HeapKeyedStateBackend implements KeyedStateBackend {
  private final int maxParallelism;
  private final int firstKeyGroup;
  private final int lastKeyGroup;
  private final String operatorName;
  private final Map<String, HeapValueState<?>> states = new HashMap<>();
  private Object currentKey;
  private int currentKeyGroup = -1;

  public HeapKeyedStateBackend(String operatorName, int maxParallelism, int firstKeyGroup, int lastKeyGroup) {
    this.operatorName = operatorName;
    this.maxParallelism = maxParallelism;
    this.firstKeyGroup = firstKeyGroup;
    this.lastKeyGroup = lastKeyGroup;
  }

  @Override
  public void setCurrentKey(Object key) {
    int kg = KeyGroups.keyGroupOf(key, maxParallelism);
    if (kg < firstKeyGroup || kg > lastKeyGroup) {
      throw new IllegalStateException(
          "operator '" + operatorName + "': key '" + key + "' is in key group " + kg
              + ", outside this subtask's range " + firstKeyGroup + ".." + lastKeyGroup
              + " (is the key selector deterministic?)");
    }
    currentKey = key;
    currentKeyGroup = kg;
  }

  @Override
  public Object currentKey() {
    return currentKey;
  }

  @Override
  public int currentKeyGroup() {
    return currentKeyGroup;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
    return (ValueState<T>) states.computeIfAbsent(descriptor.name(), n -> new HeapValueState<>());
  }

  @Override
  public AsyncSnapshot snapshot(io.eddy.checkpoint.SnapshotTarget target) {
    throw new UnsupportedOperationException("heap snapshots are being built");
  }

  @Override
  public void restore(java.util.List<io.vertx.core.json.JsonObject> handles, java.nio.file.Path root) {
    throw new UnsupportedOperationException("heap restore is being built");
  }

  /** One value state: a map per key group, created on first write. */
  private final class HeapValueState<T> implements ValueState<T> {
    @SuppressWarnings("unchecked")
    private final Map<Object, T>[] byKeyGroup = new Map[lastKeyGroup - firstKeyGroup + 1];

    @Override
    public T value() {
      Map<Object, T> m = byKeyGroup[currentKeyGroup - firstKeyGroup];
      return m == null ? null : m.get(currentKey);
    }

    @Override
    public void update(T value) {
      if (value == null) {
        clear();
        return;
      }
      int i = currentKeyGroup - firstKeyGroup;
      Map<Object, T> m = byKeyGroup[i];
      if (m == null) {
        m = byKeyGroup[i] = new HashMap<>();
      }
      m.put(currentKey, value);
    }

    @Override
    public void clear() {
      Map<Object, T> m = byKeyGroup[currentKeyGroup - firstKeyGroup];
      if (m != null) {
        m.remove(currentKey);
      }
    }
  }
}
