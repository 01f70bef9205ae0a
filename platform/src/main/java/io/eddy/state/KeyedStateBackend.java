package io.eddy.state;

import io.eddy.api.state.KeyedStateStore;
import io.eddy.checkpoint.SnapshotTarget;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The keyed state of one operator on one subtask, organized by key group. The operator sets the
 * current key before each record or timer; every state handle then reads and writes that key's
 * value. Confined to the task's event-loop thread, except {@link #restore} (a worker thread, before
 * first use) and the asynchronous part returned by {@link #snapshot} (a worker thread).
 *
 * <p>Snapshots are organized by key group so that a restore may take the key groups of one new
 * subtask from the snapshots of any number of old subtasks (rescaling). A handle is a JSON object
 * the backend writes and reads back; it names the files it uses relative to the checkpoint's
 * directories, records each state's name and serde identity (so that a changed state type is
 * refused on restore with a message naming the operator and the state), and the key-group range
 * it covers ({@code "keyGroups": [first, last]}).
 */
public interface KeyedStateBackend extends KeyedStateStore, AutoCloseable {
  /** Makes {@code key} current; it must belong to this subtask's key-group range. */
  void setCurrentKey(Object key);

  Object currentKey();

  /** The key group of the current key. */
  int currentKeyGroup();

  /**
   * The synchronous part of a snapshot, on the event loop: captures a consistent view quickly
   * (a copy, a RocksDB checkpoint) and returns the asynchronous part, which writes the view under
   * {@code target} on a worker thread and returns the handle.
   */
  AsyncSnapshot snapshot(SnapshotTarget target) throws Exception;

  /**
   * Loads the state described by {@code handles} (files resolved against {@code checkpointRoot},
   * the job's checkpoint directory), keeping only this backend's key groups. Called once, on a
   * worker thread, before any other method.
   */
  void restore(List<JsonObject> handles, java.nio.file.Path checkpointRoot) throws Exception;

  /**
   * The timer store {@code name} of this operator ({@link TimerStore}): where a backend keeps state,
   * it keeps timers too. The RocksDB backend keeps them in a column family of its own that its
   * snapshots carry ({@link TimerStore#inBackendSnapshot()} is true) and returns the same store for
   * the same name; this default, used by the heap backend, returns a new {@link HeapTimerStore}
   * that the caller snapshots. {@code namespaceSerde} serializes the timers' namespaces (null when
   * they are all null); it must write equal namespaces as equal bytes. Event loop only.
   */
  default TimerStore timerStore(String name, io.eddy.serde.Serde<Object> namespaceSerde) {
    return new HeapTimerStore();
  }

  /** The second, asynchronous part of a snapshot. */
  @FunctionalInterface
  interface AsyncSnapshot {
    JsonObject write() throws Exception;
  }

  @Override
  default void close() {}
}
