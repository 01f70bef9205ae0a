package io.eddy.deployer;

import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobVertex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jobs submitted to this node over REST, each run by a {@link JobCoordinator} on this node
 * (placing subtasks on other nodes is later work). Keeps finished jobs for their status. A rescale
 * is a stop-with-savepoint followed by a run of the same job at the new parallelism from that
 * savepoint, under the same id. Confined to the REST verticle's event loop.
 */
final class NodeJobs {
  private final Vertx vertx;
  private final String nodeId;
  private final Map<String, Entry> jobs = new LinkedHashMap<>();

  /** One submitted job: its definition, its current run and that run's result once known. */
  private static final class Entry {
    final String id;
    JobDefinition job;
    JobCoordinator coordinator;
    JobResult result;
    String failure; // a run that could not start

    Entry(String id) {
      this.id = id;
    }
  }

  NodeJobs(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  /**
   * Validates and starts a job from its JSON; throws {@link ConfigException} naming the bad field.
   */
  String submit(String json) {
    JobConfig config = JobConfig.parse(json, "POST /jobs");
    JobDefinition job = JobDefinition.load(config, Thread.currentThread().getContextClassLoader());
    job.instantiate(); // plans it: bad window settings and the like fail here, with a message
    JobCoordinator c = new JobCoordinator(vertx, job, null);
    Entry e = new Entry(c.jobId());
    e.job = job;
    e.coordinator = c;
    jobs.put(e.id, e);
    watch(e, c);
    return e.id;
  }

  private void start(Entry e, JobDefinition job, String restoreFrom) {
    e.job = job;
    e.result = null;
    e.failure = null;
    e.coordinator = new JobCoordinator(vertx, job, restoreFrom);
  }

  private void watch(Entry e, JobCoordinator c) {
    c.run().onComplete(ar -> {
      if (e.coordinator != c) {
        return; // replaced by a rescale
      }
      if (ar.succeeded()) {
        e.result = ar.result();
      } else {
        e.failure = String.valueOf(ar.cause().getMessage());
      }
    });
  }

  JsonArray list() {
    JsonArray a = new JsonArray();
    jobs.values().forEach(e -> a.add(describe(e)));
    return a;
  }

  /** The job's JSON, or null for an unknown id. */
  JsonObject get(String id) {
    Entry e = jobs.get(id);
    return e == null ? null : describe(e);
  }

  private JsonObject describe(Entry e) {
    String state = e.failure != null ? JobStatus.FAILED.name()
        : e.result != null ? e.result.status().name() : e.coordinator.status().name();
    JsonObject j = new JsonObject()
        .put("id", e.id)
        .put("name", e.job.config().name())
        .put("state", state)
        .put("parallelism", e.job.config().parallelism());
    JsonArray subtasks = new JsonArray();
    if (e.coordinator.plan() != null) {
      for (JobVertex v : e.coordinator.plan().vertices()) {
        for (int i = 0; i < v.parallelism(); i++) {
          subtasks.add(new JsonObject().put("vertex", v.name()).put("subtask", i).put("node", nodeId));
        }
      }
    }
    j.put("subtasks", subtasks);
    if (e.failure != null) {
      j.put("error", e.failure);
    } else if (e.result != null) {
      if (e.result.error() != null) {
        j.put("error", e.result.error());
      }
      j.put("metrics", new JsonObject(new LinkedHashMap<>(e.result.metrics())));
    }
    return j;
  }

  /** Cancels a job; false for an unknown id. */
  boolean cancel(String id) {
    Entry e = jobs.get(id);
    if (e == null) {
      return false;
    }
    e.coordinator.cancel();
    return true;
  }

  /** Takes a savepoint of a running job into {@code directory} (default: under its checkpoint directory). */
  Future<Path> savepoint(String id, String directory, boolean stop) {
    Entry e = jobs.get(id);
    Path target = savepointPath(e, directory);
    return stop ? e.coordinator.stopWithSavepoint(target) : e.coordinator.savepoint(target);
  }

  private static Path savepointPath(Entry e, String directory) {
    if (directory != null) {
      return Path.of(directory);
    }
    String base = e.job.config().raw().getJsonObject("checkpoints", new JsonObject()).getString("directory", "savepoints");
    if (base.startsWith("file://")) {
      base = base.substring("file://".length());
    }
    return Path.of(base, e.job.config().name(), "savepoint-" + System.currentTimeMillis());
  }

  /** Stops a running job with a savepoint and runs it again at {@code parallelism} from it. */
  Future<Path> rescale(String id, int parallelism) {
    Entry e = jobs.get(id);
    JobDefinition rescaled = new JobDefinition(e.job.config().withParallelism(parallelism), e.job.job());
    JobCoordinator old = e.coordinator;
    return old.stopWithSavepoint(savepointPath(e, null)).onSuccess(sp -> {
      start(e, rescaled, sp.toString());
      watch(e, e.coordinator);
    });
  }

  boolean exists(String id) {
    return jobs.containsKey(id);
  }
}
