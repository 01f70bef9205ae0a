package io.eddy.deployer;

import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one job on this node: plans it, deploys one {@link TaskVerticle} per subtask, starts them
 * all once every one has started (so no frame or credit is sent to an address nobody listens on
 * yet), collects their reports, and undeploys them when the job has finished, failed or been
 * cancelled. A failed task fails the whole job with that task's error.
 *
 * <p>All methods run on the coordinator's Vert.x context; {@link #run} may be called from any
 * thread and returns a future of the job's result.
 */
public final class JobCoordinator {
  private final Vertx vertx;
  private final JobDefinition job;
  private final String jobId;
  private final List<String> deployments = new ArrayList<>();
  private final Map<String, Long> metrics = new TreeMap<>();
  private final Promise<JobResult> result = Promise.promise();
  private final AtomicReference<JobStatus> status = new AtomicReference<>(JobStatus.CREATED);
  private MessageConsumer<JsonObject> reports;
  private ExecutionPlan plan;
  private int remaining;
  private long startNanos;
  private String error;

  public JobCoordinator(Vertx vertx, JobDefinition job) {
    this.vertx = vertx;
    this.job = job;
    this.jobId = job.config().name() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String jobId() {
    return jobId;
  }

  public JobStatus status() {
    return status.get();
  }

  /** The plan, once {@link #run} has built it. */
  public ExecutionPlan plan() {
    return plan;
  }

  public Future<JobResult> run() {
    try {
      plan = job.instantiate().plan();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    remaining = plan.subtaskCount();
    reports = vertx.eventBus().consumer(TaskId.coordinatorAddress(jobId), m -> onReport(m.body()));
    List<Future<String>> deployed = new ArrayList<>();
    for (JobVertex v : plan.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        TaskId id = new TaskId(jobId, v.id(), i);
        Future<String> d = vertx.deployVerticle(new TaskVerticle(id, job, t -> true));
        deployed.add(d.onSuccess(deployments::add));
      }
    }
    reports.completion()
        .compose(v -> Future.join(deployed))
        .onComplete(ar -> {
          if (ar.failed()) {
            finish(JobStatus.FAILED, firstCause(deployed, ar.cause()));
            return;
          }
          status.set(JobStatus.RUNNING);
          startNanos = System.nanoTime();
          JsonObject run = new JsonObject().put("command", "run");
          for (JobVertex v : plan.vertices()) {
            for (int i = 0; i < v.parallelism(); i++) {
              vertx.eventBus().send(new TaskId(jobId, v.id(), i).controlAddress(), run);
            }
          }
        });
    return result.future();
  }

  /** Cancels a running job; its result completes with {@link JobStatus#CANCELED}. */
  public void cancel() {
    finish(JobStatus.CANCELED, null);
  }

  private static String firstCause(List<Future<String>> deployed, Throwable fallback) {
    for (Future<String> f : deployed) {
      if (f.failed()) {
        return messageOf(f.cause());
      }
    }
    return messageOf(fallback);
  }

  private static String messageOf(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  private void onReport(JsonObject report) {
    if (result.future().isComplete()) {
      return;
    }
    JsonObject m = report.getJsonObject("metrics", new JsonObject());
    for (String k : m.fieldNames()) {
      long v = m.getLong(k);
      metrics.merge(k, v, k.startsWith("max") ? Math::max : Long::sum);
    }
    switch (report.getString("state")) {
      case "FINISHED" -> {
        if (--remaining == 0) {
          finish(JobStatus.FINISHED, null);
        }
      }
      case "FAILED" -> finish(JobStatus.FAILED, report.getString("error"));
      default -> { }
    }
  }

  private void finish(JobStatus end, String failure) {
    if (result.future().isComplete()) {
      return;
    }
    long runNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    status.set(end);
    error = failure;
    List<Future<?>> undeployed = new ArrayList<>();
    for (String d : deployments) {
      undeployed.add(vertx.undeploy(d));
    }
    if (reports != null) {
      undeployed.add(reports.unregister());
    }
    Future.join(undeployed).onComplete(ar ->
        result.complete(new JobResult(jobId, job.config().name(), end, error, runNanos, Map.copyOf(metrics))));
  }
}
