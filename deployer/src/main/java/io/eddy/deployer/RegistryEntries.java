package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader's {@link JobRegistry} publishes of its jobs, and reads back when it takes over: each job's JSON (as
 * {@code GET /jobs/{id}} shows it) in the cluster map {@link JobRegistry#JOBS_MAP} and, durably, in
 * {@code job-<id>.json} next to the job's checkpoints; its live details ({@code {vertices, checkpoints}}) in
 * {@link JobRegistry#DETAILS_MAP} and under {@link JobRegistry#DETAILS_KEY} of its entry.
 *
 * <p>{@link #publish} runs on the deployer's context and writes the file on a worker, in order;
 * {@link #withDurableCopies} runs on a worker thread.
 */
final class RegistryEntries {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryEntries.class);

  private final Vertx vertx;
  private final AsyncMap<String, JsonObject> jobs;
  private final AsyncMap<String, JsonObject> details;

  RegistryEntries(Vertx vertx, AsyncMap<String, JsonObject> jobs, AsyncMap<String, JsonObject> details) {
    this.vertx = vertx;
    this.jobs = jobs;
    this.details = details;
  }

  /** Opens the cluster maps. */
  static Future<RegistryEntries> open(Vertx vertx) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(JobRegistry.DETAILS_MAP).compose(d ->
        vertx.sharedData().<String, JsonObject>getAsyncMap(JobRegistry.JOBS_MAP)
            .map(j -> new RegistryEntries(vertx, j, d)));
  }

  /**
   * The jobs a former leader published: the valid entries of the cluster map plus the durable copies it lost.
   *
   * @param checkpointDirectory the node's checkpoint directory, under which the durable copies are, or null
   */
  Future<Map<String, JsonObject>> load(String checkpointDirectory) {
    return inMap().compose(valid -> vertx.executeBlocking(() -> withDurableCopies(valid, checkpointDirectory), false));
  }

  /** The valid entries of the cluster map, by job id. */
  Future<Map<String, JsonObject>> inMap() {
    return jobs.entries().map(all -> {
      Map<String, JsonObject> valid = new LinkedHashMap<>();
      // through Object: a malformed value must reach the check, not fail a cast
      for (Map.Entry<String, ?> e : all.entrySet()) {
        JsonObject j = ClusterMapEntries.job(e.getKey(), e.getValue());
        if (j != null) {
          valid.put(e.getKey(), j);
        }
      }
      return valid;
    });
  }

  /** Publishes again the details a former leader published of a job that had ended (the map may have lost them). */
  void republishDetails(String id, JsonObject d) {
    details.put(id, d).onFailure(x -> LOG.debug("job {}: cannot publish its details: {}", id, x.toString()));
  }

  /** Writes the job's JSON to the cluster map and, off the event loop, next to its checkpoints. */
  Future<Void> publish(RegisteredJob e) {
    JsonObject j = describe(e);
    if (e.endedBefore == null) {
      JsonObject d = new JsonObject().put("vertices", e.coordinator.vertexMetrics())
          .put("checkpoints", e.coordinator.checkpointHistory());
      e.details = d;
      j.put(JobRegistry.DETAILS_KEY, d);
      details.put(e.id, d).onFailure(x -> LOG.debug("job {}: cannot publish its details: {}", e.id, x.toString()));
    }
    e.published = j;
    Future<Void> put = jobs.put(e.id, j);
    Path durable = durablePath(e);
    if (durable != null) {
      vertx.executeBlocking(() -> {
        Files.createDirectories(durable.getParent());
        Path tmp = durable.resolveSibling(durable.getFileName() + ".tmp");
        Files.writeString(tmp, j.encodePrettily(), StandardCharsets.UTF_8);
        Files.move(tmp, durable, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return null;
      }, true).onFailure(x -> LOG.warn("job {}: cannot write {}: {}", e.id, durable, x.toString()));
    }
    return put;
  }

  private static Path durablePath(RegisteredJob e) {
    io.eddy.checkpoint.CheckpointSettings cs = io.eddy.checkpoint.CheckpointSettings.of(e.submitted.config().raw());
    return cs == null ? null : cs.directory().resolve(e.submitted.config().name()).resolve("job-" + e.id + ".json");
  }

  /** @return each subtask's state size in its last acknowledged checkpoint, by {@code "vertex id/subtask"} */
  private static Map<String, Long> subtaskStateBytes(JsonArray vertices) {
    Map<String, Long> out = new java.util.HashMap<>();
    for (Object o : vertices) {
      JsonObject v = (JsonObject) o;
      for (Object st : v.getJsonArray("subtasks", new JsonArray())) {
        JsonObject s = (JsonObject) st;
        out.put(v.getInteger("id") + "/" + s.getInteger("subtask"), s.getLong("stateBytes"));
      }
    }
    return out;
  }

  /** The job as {@code GET /jobs/{id}} shows it. */
  static JsonObject describe(RegisteredJob e) {
    if (e.endedBefore != null) {
      return e.endedBefore;
    }
    String id = e.id;
    JobDefinition submitted = e.submitted;
    JobCoordinator c = e.coordinator;
    JobResult result = e.result;
    String failure = e.failure;
    String restoreFrom = e.restoreFrom;
    String state = failure != null ? JobStatus.FAILED.name()
        : result != null ? result.status().name() : c.status().name();
    JobDefinition running = c.job();
    JsonObject j = new JsonObject()
        .put("id", id)
        .put("name", submitted.config().name())
        .put("state", state)
        .put("parallelism", c.slots() != null ? c.slots().parallelism() : running.config().parallelism())
        .put("desiredParallelism", c.desiredParallelism())
        .put("attempt", c.attempt())
        .put("submittedAt", e.submittedAt);
    if (e.endedAt > 0) {
      j.put("endedAt", e.endedAt);
    }
    JsonArray subtasks = new JsonArray();
    if (c.plan() != null && c.slots() != null) {
      Map<String, Long> stateBytes = subtaskStateBytes(c.vertexMetrics());
      for (JobVertex v : c.plan().vertices()) {
        for (int i = 0; i < v.parallelism(); i++) {
          JsonObject st = new JsonObject().put("vertex", v.name()).put("subtask", i)
              .put("node", c.slots().nodeOf(new TaskId(id, c.attempt(), v.id(), i)));
          Long bytes = stateBytes.get(v.id() + "/" + i);
          if (bytes != null) {
            st.put("stateBytes", bytes);
          }
          subtasks.add(st);
        }
      }
    }
    j.put("subtasks", subtasks);
    if (c.reason() != null && result == null && failure == null) {
      j.put("reason", c.reason());
    }
    if (failure != null) {
      j.put("error", failure);
    } else if (result != null && result.error() != null) {
      j.put("error", result.error());
    }
    j.put("metrics", new JsonObject(new LinkedHashMap<>(result != null && !result.metrics().isEmpty()
        ? result.metrics() : c.metrics())));
    j.put("config", submitted.config().raw()).put("source", submitted.config().source())
        .put("firstCheckpointId", c.firstCheckpointId());
    if (restoreFrom != null) {
      j.put("restoreFrom", restoreFrom);
    }
    return j;
  }

  /** The map's entries plus any durable copy under the node's checkpoint directory the map lost (worker thread).
   *
   * @param dir the node's checkpoint directory, or null
   */
  private static Map<String, JsonObject> withDurableCopies(Map<String, JsonObject> known, String dir) throws Exception {
    Map<String, JsonObject> all = new LinkedHashMap<>(known);
    Path clusterJobs = dir == null ? null : Path.of(io.eddy.checkpoint.CheckpointStorage.clusterJobsDirectory(dir));
    if (clusterJobs == null || !Files.isDirectory(clusterJobs)) {
      return all;
    }
    try (Stream<Path> files = Files.walk(clusterJobs, 2)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("job-") && name.endsWith(".json")) {
          Object j;
          try {
            j = new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
          } catch (RuntimeException | java.io.IOException e) {
            LOG.warn("ignoring durable job copy {}: {}", f, e.getMessage());
            continue;
          }
          JsonObject valid = ClusterMapEntries.job(null, j);
          if (valid != null) {
            all.putIfAbsent(valid.getString("id"), valid);
          } else {
            LOG.warn("ignoring durable job copy {}: malformed", f);
          }
        }
      }
    }
    return all;
  }
}
