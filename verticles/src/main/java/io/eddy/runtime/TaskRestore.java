package io.eddy.runtime;

import io.eddy.checkpoint.KeyGroupSections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one new subtask takes from a completed checkpoint, possibly written at another parallelism:
 * for each of its operators, the key-group sections in its range (read from every old subtask's
 * file on a worker thread by {@link #load}), its operator state (union: all entries; split: every
 * p-th entry, starting at its index) and the keyed-backend handles whose key-group ranges
 * intersect its own. Metadata layout: {@code {"checkpointId": n, "tasks": [{"vertex", "subtask",
 * "operators": {uid: {...}}}]}}, see {@link TaskSnapshot}.
 */
final class TaskRestore {
  private final JsonObject metadata;
  private final Path root;
  private final int subtask;
  private final int parallelism;
  private final int firstKeyGroup;
  private final int lastKeyGroup;
  private final Map<String, List<byte[]>> sections = new LinkedHashMap<>(); // uid -> section blobs

  TaskRestore(JsonObject metadata, Path root, int subtask, int parallelism, int firstKeyGroup, int lastKeyGroup) {
    this.metadata = metadata;
    this.root = root;
    this.subtask = subtask;
    this.parallelism = parallelism;
    this.firstKeyGroup = firstKeyGroup;
    this.lastKeyGroup = lastKeyGroup;
  }

  long checkpointId() {
    return metadata.getLong("checkpointId");
  }

  Path root() {
    return root;
  }

  /** The entries of all old subtasks for operator {@code uid}, in old-subtask order. */
  private List<JsonObject> entries(String uid) {
    List<JsonObject> found = new ArrayList<>();
    JsonArray tasks = metadata.getJsonArray("tasks", new JsonArray());
    List<JsonObject> sorted = new ArrayList<>();
    tasks.forEach(t -> sorted.add((JsonObject) t));
    sorted.sort(java.util.Comparator.comparingInt((JsonObject t) -> t.getInteger("vertex"))
        .thenComparingInt(t -> t.getInteger("subtask")));
    for (JsonObject t : sorted) {
      JsonObject o = t.getJsonObject("operators", new JsonObject()).getJsonObject(uid);
      if (o != null) {
        found.add(o);
      }
    }
    return found;
  }

  private boolean intersects(JsonObject entry) {
    JsonArray kg = entry.getJsonArray("keyGroups");
    return kg != null && kg.getInteger(0) <= lastKeyGroup && kg.getInteger(1) >= firstKeyGroup;
  }

  /** Reads the key-group sections of {@code uids} (worker thread). */
  void load(List<String> uids) throws Exception {
    for (String uid : uids) {
      List<byte[]> blobs = new ArrayList<>();
      for (JsonObject e : entries(uid)) {
        String f = e.getString("keyGroupsFile");
        if (f != null && intersects(e)) {
          blobs.add(java.nio.file.Files.readAllBytes(root.resolve(f)));
        }
      }
      sections.put(uid, blobs);
    }
  }

  /** Backend handles of old subtasks overlapping this subtask's key groups. */
  List<JsonObject> backendHandles(String uid) {
    List<JsonObject> handles = new ArrayList<>();
    for (JsonObject e : entries(uid)) {
      if (e.containsKey("backend") && intersects(e)) {
        handles.add(e.getJsonObject("backend"));
      }
    }
    return handles;
  }

  /** Operator state of {@code uid}, redistributed for this subtask. */
  Map<String, List<byte[]>> operatorState(String uid) {
    Map<String, List<byte[]>> all = new LinkedHashMap<>();
    Map<String, Boolean> union = new LinkedHashMap<>();
    for (JsonObject e : entries(uid)) {
      JsonObject os = e.getJsonObject("operatorState", new JsonObject());
      for (String name : os.fieldNames()) {
        JsonObject s = os.getJsonObject(name);
        union.put(name, s.getBoolean("union", false));
        List<byte[]> list = all.computeIfAbsent(name, n -> new ArrayList<>());
        s.getJsonArray("entries", new JsonArray()).forEach(x -> list.add(Base64.getDecoder().decode((String) x)));
      }
    }
    Map<String, List<byte[]>> mine = new LinkedHashMap<>();
    all.forEach((name, list) -> {
      if (union.get(name)) {
        mine.put(name, list);
      } else {
        List<byte[]> part = new ArrayList<>();
        for (int i = subtask; i < list.size(); i += parallelism) {
          part.add(list.get(i));
        }
        mine.put(name, part);
      }
    });
    return mine;
  }

  /** The restore view handed to operator {@code uid}. */
  OperatorRestore forOperator(String uid) {
    List<OperatorRestore.KeyGroupSource> sources = new ArrayList<>();
    for (byte[] blob : sections.getOrDefault(uid, List.of())) {
      sources.add(reader -> KeyGroupSections.read(blob, firstKeyGroup, lastKeyGroup, reader));
    }
    return new OperatorRestore(checkpointId(), sources, operatorState(uid));
  }
}
