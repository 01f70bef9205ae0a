package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
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
  private final List<LocalTaskHosts> nodes = new ArrayList<>();

  /** @param nodes clustered nodes of one cluster, in this JVM */
  public VertexSpreadHosts(List<ClusterNode> nodes) {
    nodes.forEach(n -> this.nodes.add(new LocalTaskHosts(n.vertx())));
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
      deployed.add(nodes.get(n).deployTask(new TaskVerticle(t, job, other -> nodeOf(other) == n, restore)));
    }
    return Future.join(deployed).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(LocalTaskHosts.firstCause(deployed, e)));
  }

  @Override
  public Future<Void> undeploy(String jobId, int attempt) {
    List<Future<?>> undeployed = new ArrayList<>();
    nodes.forEach(n -> undeployed.add(n.undeploy(jobId, attempt)));
    return Future.join(undeployed).mapEmpty();
  }

  @Override
  public boolean isAlive(String node) {
    return true;
  }

  @Override
  public void release(String jobId) {
  }
}
