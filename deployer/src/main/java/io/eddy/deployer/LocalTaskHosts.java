package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every task in this JVM, at the job's parallelism (the {@code run} command and embedded use): frames are handed
 * over as objects unless the job forces serialization.
 */
public final class LocalTaskHosts implements TaskHosts {
  /** The node name of every slot. */
  public static final String LOCAL = "local";

  private final Vertx vertx;
  private final Map<Integer, List<String>> deploymentsByAttempt = new HashMap<>();

  public LocalTaskHosts(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<SlotAssignment> assign(String jobId, JobDefinition job, int minimum) {
    return Future.succeededFuture(new SlotAssignment(Collections.nCopies(job.config().parallelism(), LOCAL)));
  }

  @Override
  public Future<Void> deploy(JobDefinition job, SlotAssignment slots, List<TaskId> tasks, JsonObject restore) {
    List<Future<String>> deployed = new ArrayList<>();
    for (TaskId id : tasks) {
      deployed.add(deployTask(new TaskVerticle(id, job, t -> true, restore)));
    }
    return Future.join(deployed).<Void>mapEmpty().recover(e -> Future.failedFuture(firstCause(deployed, e)));
  }

  /** Deploys one task on this JVM's Vert.x and keeps its deployment for {@link #undeploy}. */
  Future<String> deployTask(TaskVerticle task) {
    List<String> ids = deploymentsByAttempt.computeIfAbsent(task.id().attempt(), a -> new ArrayList<>());
    return vertx.deployVerticle(task).onSuccess(ids::add);
  }

  /** The first failed deployment's cause: the one that names the task's problem. */
  static Throwable firstCause(List<? extends Future<?>> futures, Throwable fallback) {
    for (Future<?> f : futures) {
      if (f.failed()) {
        return f.cause();
      }
    }
    return fallback;
  }

  @Override
  public Future<Void> undeploy(String jobId, int attempt) {
    List<Future<?>> undeployed = new ArrayList<>();
    deploymentsByAttempt.entrySet().removeIf(e -> {
      if (e.getKey() > attempt) {
        return false;
      }
      e.getValue().forEach(d -> undeployed.add(vertx.undeploy(d)));
      return true;
    });
    return Future.join(undeployed).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  @Override
  public boolean isAlive(String node) {
    return true;
  }

  @Override
  public void release(String jobId) {
  }
}
