package io.eddy.deployer;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;
import io.eddy.config.PathPolicy;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * A job as {@code POST /jobs} submits it, checked before the registry takes it: its JSON parsed, its job class loaded
 * and planned (bad settings fail with a message naming them), its path parameters bound to the node's roots, and its
 * checkpoint directory moved into the cluster's {@code _cluster} folder. {@link #checkPaths} then checks, on a worker
 * thread, that the checkpoint directory and a savepoint to start from lie under the node's roots and that the
 * savepoint is this job's. Every refusal is a {@link ConfigException} (or another runtime exception) whose message
 * names the offending key or parameter: the request's fault, answered with 400.
 *
 * @param job                 the job as the cluster runs it
 * @param checkpointDirectory the checkpoint directory the request asked for (its own, or the node's when it named
 *                            none), before the cluster's folder was added; null when the job takes no checkpoints
 */
record JobSubmission(JobDefinition job, String checkpointDirectory) {

  /**
   * Parses and plans a submission (on the event loop: no file is read).
   *
   * @param json          the request body
   * @param nodeDirectory the node's {@code checkpointDirectory}, or null
   * @param paths         the node's path roots
   */
  static JobSubmission parse(String json, String nodeDirectory, PathPolicy paths) {
    if (json == null || json.isBlank()) {
      throw new ConfigException("POST /jobs: the request body must be the job JSON");
    }
    String asked = askedCheckpointDirectory(json, nodeDirectory);
    JobConfig parsed = JobConfig.parse(withClusterCheckpointDirectory(json, nodeDirectory), "POST /jobs");
    // the job's path parameters (inputs, outputs) are checked when it is built, just below
    JobConfig config = parsed.withParams(parsed.params().withPathPolicy(paths));
    JobDefinition job = JobDefinition.load(config, Thread.currentThread().getContextClassLoader());
    job.instantiate(); // plans it: bad window settings and the like fail here, with a message
    return new JobSubmission(job, asked);
  }

  /**
   * Checks, off the event loop, the checkpoint directory and the savepoint to start from against the node's roots,
   * and that the savepoint belongs to a job of this name.
   *
   * @param fromSavepoint the {@code fromSavepoint} query parameter, or null
   */
  Future<Void> checkPaths(Vertx vertx, PathPolicy paths, String fromSavepoint) {
    String name = job.config().name();
    String checkpoints = checkpointDirectory; // as the request named it: the cluster's folder is no concern of the user
    return vertx.executeBlocking(() -> {
      if (checkpoints != null) {
        paths.resolve("key 'checkpoints.directory'", checkpoints);
      }
      if (fromSavepoint == null) {
        return null;
      }
      Path dir = paths.resolve("query parameter 'fromSavepoint'", fromSavepoint);
      JsonObject meta;
      try {
        meta = CheckpointStorage.readMetadata(dir);
      } catch (Exception x) {
        throw new ConfigException("query parameter 'fromSavepoint': " + fromSavepoint + " is not a savepoint or"
            + " checkpoint directory: " + x.getMessage());
      }
      if (!name.equals(meta.getString("job"))) {
        throw new ConfigException("query parameter 'fromSavepoint': " + fromSavepoint + " belongs to job '"
            + meta.getString("job") + "', not '" + name + "'");
      }
      return null;
    }, false);
  }

  /**
   * A job whose {@code checkpoints} section names no {@code directory} checkpoints into the node's
   * {@code checkpointDirectory}, where a new leader also looks for the durable registry copies.
   * Either way the cluster keeps its jobs' checkpoints in the directory's {@code _cluster} folder,
   * apart from local runs of jobs of the same name.
   */
  private static String withClusterCheckpointDirectory(String json, String nodeDirectory) {
    String asked = askedCheckpointDirectory(json, nodeDirectory);
    if (asked == null) {
      return json;
    }
    JsonObject o = new JsonObject(json);
    o.getJsonObject("checkpoints").put("directory", CheckpointStorage.clusterJobsDirectory(asked));
    return o.encode();
  }

  /**
   * The checkpoint directory a submission asks for: its own or, when its {@code checkpoints} section names none, the
   * node's; null when it takes no checkpoints (or is not valid JSON: {@link JobConfig#parse} says what is wrong).
   */
  private static String askedCheckpointDirectory(String json, String nodeDirectory) {
    try {
      JsonObject o = new JsonObject(json);
      if (o.getValue("checkpoints") instanceof JsonObject cs) {
        Object d = cs.getValue("directory", nodeDirectory);
        return d instanceof String s && !s.isBlank() ? s : null;
      }
    } catch (RuntimeException notAnObject) {
      // JobConfig.parse says what is wrong with it
    }
    return null;
  }
}
