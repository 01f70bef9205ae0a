package io.eddy.testing;

import io.eddy.api.StreamJob;
import io.eddy.config.JobConfig;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.graph.JobDefinition;
import io.eddy.runtime.LiveTasks;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs jobs in this JVM for tests: one fresh Vert.x per run, always closed. */
public final class Jobs {
  /** The longest any test job may take before the test fails. */
  public static final int TIMEOUT_SECONDS = 60;

  private Jobs() {}

  /** A job configuration as JSON; {@code frame} and {@code params} may be null. */
  public static JobConfig config(
      String jobClass, int parallelism, boolean chaining, JsonObject frame, JsonObject params) {
    JsonObject json = new JsonObject()
        .put("job", jobClass)
        .put("parallelism", parallelism)
        .put("chaining", chaining);
    if (frame != null) {
      json.put("frame", frame);
    }
    if (params != null) {
      json.put("params", params);
    }
    return JobConfig.parse(json.encode(), "test");
  }

  /** A frame object: maxRecords (0: default) and serializeLocal. */
  public static JsonObject frame(int maxRecords, boolean serializeLocal) {
    JsonObject f = new JsonObject().put("serializeLocal", serializeLocal);
    if (maxRecords > 0) {
      f.put("maxRecords", maxRecords);
    }
    return f;
  }

  public static JobResult run(JobConfig config, StreamJob job) throws Exception {
    return run(new JobDefinition(config, job));
  }

  public static JobResult run(JobDefinition job) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return new JobCoordinator(vertx, job).run()
          .toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      close(vertx);
    }
  }

  /** A started job whose Vert.x the caller closes with {@link #close(Vertx)}. */
  public record Running(Vertx vertx, JobCoordinator coordinator, CompletableFuture<JobResult> result) {
    /** The tasks of this job currently alive in this JVM. */
    public List<TaskVerticle> liveTasks() {
      return LiveTasks.all().stream()
          .filter(t -> t.id().jobId().equals(coordinator.jobId()))
          .toList();
    }
  }

  public static Running start(JobConfig config, StreamJob job) {
    Vertx vertx = Vertx.vertx();
    JobCoordinator c = new JobCoordinator(vertx, new JobDefinition(config, job));
    return new Running(vertx, c, c.run().toCompletionStage().toCompletableFuture());
  }

  public static void close(Vertx vertx) throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** The tasks of a job still registered in this JVM (none once its result is complete). */
  public static List<TaskVerticle> liveTasksOf(String jobId) {
    return LiveTasks.all().stream().filter(t -> t.id().jobId().equals(jobId)).toList();
  }
}
