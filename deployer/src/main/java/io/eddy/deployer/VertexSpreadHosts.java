package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts each vertex of a job on another node, in turn (vertex {@code v} on node {@code v mod n}), so that every edge
 * between vertices crosses nodes over the clustered event bus. Only for measuring the cost of that exchange
 * ({@code bench --nodes 2}); a real cluster places slots with {@link ClusterTaskHosts}.
 */
public final class VertexSpreadHosts implements TaskHosts {
  private final List<ClusterNode> nodes;
  private final List<List<String>> deployments = new ArrayList<>(); // per node

  /** @param nodes clustered nodes of one cluster, in this JVM */
  public VertexSpreadHosts(List<ClusterNode> nodes) {
    this.nodes = List.copyOf(nodes);
    nodes.forEach(n -> deployments.add(new ArrayList<>()));
  }

  @Override
  public Future<SlotAssignment> assign(String jobId, JobDefinition job, int minimum) {
    return Future.succeededFuture(new SlotAssignment(Collections.nCopies(job.config().parallelism(), "spread")));
  }

  private int nodeOf(TaskId task) {
    return task.vertex() % nodes.size();
  }

  @Override
  public Future<Void> deploy(JobDefinition job, SlotAssignment slots, List<TaskId> tasks, JsonObject restore) {
    List<Future<String>> deployed = new ArrayList<>();
    for (TaskId t : tasks) {
      int n = nodeOf(t);
      Vertx vertx = nodes.get(n).vertx();
      deployed.add(vertx.deployVerticle(new TaskVerticle(t, job, other -> nodeOf(other) == n, restore))
          .onSuccess(deployments.get(n)::add));
    }
    return Future.join(deployed).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(LocalTaskHosts.firstCause(deployed, e)));
  }

  @Override
  public Future<Void> undeploy(String jobId, int attempt) {
    List<Future<?>> undeployed = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      for (String d : deployments.get(n)) {
        undeployed.add(nodes.get(n).vertx().undeploy(d));
      }
      deployments.get(n).clear();
    }
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
