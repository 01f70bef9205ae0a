package io.eddy.deployer;

import io.eddy.deployer.control.DeployerMessage;
import io.eddy.deployer.control.NodeRequest;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's view of the cluster's slots: places the attempts of every job it coordinates on the nodes advertised in
 * {@link ClusterNode#NODES_MAP} that are still members and not draining, and asks each node's {@link NodeVerticle} to
 * deploy or undeploy its share. One instance serves all of the leader's jobs, so that it knows which slots they hold;
 * confined to the deployer's context.
 *
 * <p>Placement spreads: slots are taken one per node in turn, nodes with the most free slots first, so the subtasks
 * of each vertex land on as many nodes as there are.
 */
final class ClusterTaskHosts implements TaskHosts {
  private static final long DEPLOY_TIMEOUT_MILLIS = 60_000;
  private static final long UNDEPLOY_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final ClusterNode node;
  private final Map<String, SlotAssignment> taken = new HashMap<>(); // by job id
  private final Set<String> draining = new HashSet<>();

  ClusterTaskHosts(Vertx vertx, ClusterNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** A node about to leave gracefully: no new slot goes there. */
  void drain(String nodeId) {
    draining.add(nodeId);
  }

  boolean isDraining(String nodeId) {
    return draining.contains(nodeId);
  }

  void nodeLeft(String nodeId) {
    draining.remove(nodeId);
  }

  /** The free slots per usable node, counting those {@code jobId} holds as free (it is being re-placed). */
  Future<Map<String, Integer>> freeSlots(String jobId) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP)
        .compose(AsyncMap::entries)
        .map(entries -> {
          Set<String> members = new HashSet<>(node.members());
          Map<String, Integer> free = new LinkedHashMap<>();
          entries.entrySet().stream()
              .map(e -> ClusterMapEntries.node(e.getKey(), e.getValue()))
              .filter(n -> n != null && members.contains(n.getString("id")) && !draining.contains(n.getString("id")))
              .sorted(Comparator.comparing(n -> n.getString("id")))
              .forEach(n -> free.put(n.getString("id"), n.getInteger("slots", 0)));
          taken.forEach((job, slots) -> {
            if (!job.equals(jobId)) {
              slots.nodes().forEach(n -> free.computeIfPresent(n, (k, v) -> v - 1));
            }
          });
          free.values().removeIf(v -> v <= 0);
          return free;
        });
  }

  @Override
  public Future<SlotAssignment> assign(String jobId, JobDefinition job, int minimum) {
    int wanted = job.config().parallelism();
    return freeSlots(jobId).compose(free -> {
      int total = free.values().stream().mapToInt(Integer::intValue).sum();
      if (total < minimum) {
        return Future.failedFuture(new NotEnoughSlotsException("waiting for slots: needs " + minimum
            + (minimum == 1 ? " slot" : " slots") + ", " + total + " free on " + free.size() + " usable node(s)"));
      }
      SlotAssignment slots = new SlotAssignment(spread(free, Math.min(wanted, total)));
      taken.put(jobId, slots);
      return Future.succeededFuture(slots);
    });
  }

  /** Takes {@code count} slots one node at a time, nodes with the most free slots first. */
  static List<String> spread(Map<String, Integer> free, int count) {
    Map<String, Integer> left = new LinkedHashMap<>();
    free.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> left.put(e.getKey(), e.getValue()));
    List<String> nodes = new ArrayList<>();
    while (nodes.size() < count) {
      for (Map.Entry<String, Integer> e : left.entrySet()) {
        if (nodes.size() < count && e.getValue() > 0) {
          nodes.add(e.getKey());
          e.setValue(e.getValue() - 1);
        }
      }
    }
    return nodes;
  }

  @Override
  public Future<Void> deploy(JobDefinition job, SlotAssignment slots, List<TaskId> tasks, JsonObject restore) {
    Map<String, List<NodeRequest.Subtask>> byNode = new LinkedHashMap<>();
    for (TaskId t : tasks) {
      byNode.computeIfAbsent(slots.nodeOf(t), n -> new ArrayList<>()).add(new NodeRequest.Subtask(t.vertex(), t.subtask()));
    }
    TaskId first = tasks.get(0);
    DeliveryOptions timeout = DeployerMessage.delivery(DEPLOY_TIMEOUT_MILLIS);
    String jobJson = job.config().raw().encode();
    String restoreJson = restore == null ? null : restore.encode();
    List<Future<?>> deployed = new ArrayList<>();
    byNode.forEach((nodeId, list) -> {
      NodeRequest.Deploy request = new NodeRequest.Deploy(first.jobId(), first.attempt(), jobJson,
          job.config().source(), slots.nodes(), list, restoreJson);
      deployed.add(vertx.eventBus().request(NodeVerticle.tasksAddress(nodeId), request, timeout)
          .recover(e -> Future.failedFuture(new IllegalStateException(
              "deploying on node " + nodeId + ": " + e.getMessage(), e))));
    });
    return Future.join(deployed).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(LocalTaskHosts.firstCause(deployed, e)));
  }

  @Override
  public Future<Void> undeploy(String jobId, int attempt) {
    DeliveryOptions timeout = DeployerMessage.delivery(UNDEPLOY_TIMEOUT_MILLIS);
    NodeRequest.Undeploy request = new NodeRequest.Undeploy(jobId, attempt);
    List<Future<?>> undeployed = new ArrayList<>();
    for (String member : node.members()) {
      undeployed.add(vertx.eventBus().request(NodeVerticle.tasksAddress(member), request, timeout));
    }
    return Future.join(undeployed).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  @Override
  public boolean isAlive(String nodeId) {
    return node.members().contains(nodeId);
  }

  @Override
  public void release(String jobId) {
    taken.remove(jobId);
  }
}
