package io.eddy.deployer;

import io.eddy.config.JobConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The metadata of a completed checkpoint as {@link io.eddy.checkpoint.CheckpointStorage#writeMetadata} stores it and
 * a restore reads it: {@code job, jobClass, checkpointId, timestamp, final, maxParallelism, tasks: [{vertex, subtask,
 * operators}], sharedFiles} and, when sources enumerate splits, the enumerators' state under
 * {@link SplitEnumerators#METADATA_KEY}. Pure functions; {@link #directorySize} reads the file system.
 */
final class CheckpointMetadata {
  private CheckpointMetadata() {
  }

  /**
   * @param tasks one {@code {vertex, subtask, operators}} per subtask, {@code operators} as it acknowledged
   * @param enumerators the split enumerators' state at the trigger, or null
   */
  static JsonObject of(JobConfig config, long id, long startedAt, boolean isFinal, JsonArray tasks,
      JsonObject enumerators) {
    JsonObject meta = new JsonObject()
        .put("job", config.name())
        .put("jobClass", config.jobClass())
        .put("checkpointId", id)
        .put("timestamp", startedAt)
        .put("final", isFinal)
        .put("maxParallelism", config.maxParallelism())
        .put("tasks", tasks)
        .put("sharedFiles", sharedFiles(tasks));
    if (enumerators != null) {
      meta.put(SplitEnumerators.METADATA_KEY, enumerators);
    }
    return meta;
  }

  /** Every path listed under a "shared" key in the acknowledgements (incremental files). */
  static JsonArray sharedFiles(JsonArray tasks) {
    JsonArray out = new JsonArray();
    collectShared(tasks, out);
    return out;
  }

  private static void collectShared(Object node, JsonArray out) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        Object v = o.getValue(k);
        if ("shared".equals(k) && v instanceof JsonArray a) {
          a.forEach(out::add);
        } else {
          collectShared(v, out);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(x -> collectShared(x, out));
    }
  }

  /** The bytes of every file under {@code dir}. Blocking: call it on a worker thread. */
  static long directorySize(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
