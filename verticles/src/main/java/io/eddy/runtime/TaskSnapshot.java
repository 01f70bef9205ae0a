package io.eddy.runtime;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.state.KeyedStateBackend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task's part of one checkpoint. The synchronous part (on the event loop, at the barrier)
 * collects each operator's {@link OperatorSnapshot} and starts its keyed backend's snapshot;
 * {@link #complete} then writes everything on a worker thread and waits for the operators' pending
 * work (sinks' pre-commits), giving the JSON the task acknowledges with:
 * {@code {"<operator uid>": {"keyGroupsFile": .., "keyGroups": [first, last], "operatorState": {..}, "backend": {..},
 * "stateBytes": n}}}. Paths are relative to the job's checkpoint root. {@code stateBytes} is the operator's state size
 * in this checkpoint: its key-group file, its operator state entries and every file its backend's handle names (with
 * RocksDB's incremental checkpoints, shared files count in full, as Flink's "full checkpoint data size" does).
 */
final class TaskSnapshot {
  private final long checkpointId;
  private final CheckpointStorage storage;
  private final int vertex;
  private final int subtask;
  private final int firstKeyGroup;
  private final int lastKeyGroup;
  private final Map<String, OperatorSnapshot> operators = new LinkedHashMap<>();
  private final Map<String, byte[]> keyGroupBytes = new LinkedHashMap<>();
  private final Map<String, KeyedStateBackend.AsyncSnapshot> backends = new LinkedHashMap<>();

  TaskSnapshot(long checkpointId, CheckpointStorage storage, int vertex, int subtask, int firstKeyGroup, int lastKeyGroup) {
    this.checkpointId = checkpointId;
    this.storage = storage;
    this.vertex = vertex;
    this.subtask = subtask;
    this.firstKeyGroup = firstKeyGroup;
    this.lastKeyGroup = lastKeyGroup;
  }

  long checkpointId() {
    return checkpointId;
  }

  /** The key of an operator's state size in bytes in the acknowledgement. */
  static final String STATE_BYTES = "stateBytes";

  /**
   * @param acknowledged the operators' part of an acknowledgement, as {@link #complete} gave it
   * @return each operator's state size in bytes, by operator uid
   */
  static Map<String, Long> stateSizes(JsonObject acknowledged) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (String uid : acknowledged.fieldNames()) {
      sizes.put(uid, acknowledged.getJsonObject(uid).getLong(STATE_BYTES, 0L));
    }
    return sizes;
  }

  /** Synchronous part for one operator: its own state, and its backend's snapshot if it has one. */
  void add(String uid, StreamOperator<?, ?> op, OperatorStates userStates, KeyedStateBackend backend) throws Exception {
    OperatorSnapshot s = new OperatorSnapshot(checkpointId);
    op.snapshotState(s);
    userStates.snapshotInto(s);
    add(uid, s);
    if (backend != null) {
      Path dir = storage.checkpointDirectory(checkpointId).resolve(vertex + "-" + subtask);
      Path shared = storage.sharedDirectory();
      long id = checkpointId;
      backends.put(uid, backend.snapshot(new SnapshotTarget() {
        public long checkpointId() {
          return id;
        }

        public Path directory() {
          return dir;
        }

        public Path sharedDirectory() {
          return shared;
        }
      }));
    }
  }

  /** Synchronous part of an operator-like piece without an operator object (a source's positions). */
  void add(String uid, OperatorSnapshot s) {
    operators.put(uid, s);
    if (!s.keyGroups().isEmpty()) {
      keyGroupBytes.put(uid, s.keyGroups().toBytes());
    }
  }

  /** Writes the snapshot on a worker thread and waits for pending work; gives the acknowledgement. */
  Future<JsonObject> complete(Vertx vertx) {
    List<Future<?>> pending = new ArrayList<>();
    operators.values().forEach(s -> pending.addAll(s.pending()));
    // pending work (pre-commits) may still fill in operator state: write after it
    return Future.all(pending).compose(v -> vertx.executeBlocking(this::write, false));
  }

  private JsonObject write() throws Exception {
    Path dir = storage.taskDirectory(checkpointId, vertex, subtask);
    JsonObject result = new JsonObject();
    for (Map.Entry<String, OperatorSnapshot> e : operators.entrySet()) {
      String uid = e.getKey();
      JsonObject o = new JsonObject().put("keyGroups", new JsonArray().add(firstKeyGroup).add(lastKeyGroup));
      long bytes = 0;
      byte[] kg = keyGroupBytes.get(uid);
      if (kg != null) {
        bytes += kg.length;
        Path f = dir.resolve(fileName(uid) + ".kg");
        Files.write(f, kg);
        o.put("keyGroupsFile", storage.root().relativize(f).toString());
      }
      JsonObject opState = new JsonObject();
      long[] size = {0};
      e.getValue().operatorStates().forEach((name, entries) -> {
        JsonArray list = new JsonArray();
        entries.entries().forEach(b -> list.add(Base64.getEncoder().encodeToString(b)));
        entries.entries().forEach(b -> size[0] += b.length);
        opState.put(name, new JsonObject().put("union", entries.union()).put("entries", list));
      });
      o.put("operatorState", opState);
      bytes += size[0];
      KeyedStateBackend.AsyncSnapshot b = backends.get(uid);
      if (b != null) {
        JsonObject handle = b.write();
        o.put("backend", handle);
        bytes += filesSize(handle);
      }
      result.put(uid, o.put(STATE_BYTES, bytes));
    }
    return result;
  }

  /** The bytes of the files a backend handle names: {@code file} (heap) or the values of {@code files} (RocksDB). */
  private long filesSize(JsonObject handle) throws java.io.IOException {
    List<String> names = new ArrayList<>();
    if (handle.getValue("file") instanceof String f) {
      names.add(f);
    }
    if (handle.getValue("files") instanceof JsonObject files) {
      files.forEach(en -> names.add(String.valueOf(en.getValue())));
    }
    long total = 0;
    for (String n : names) {
      total += Files.size(storage.root().resolve(n));
    }
    return total;
  }

  private static String fileName(String uid) {
    return uid.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
