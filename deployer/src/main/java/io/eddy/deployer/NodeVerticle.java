package io.eddy.deployer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

/**
 * A node's presence in the cluster: advertises {@code {id, host, httpPort, slots, usedSlots}} in the cluster-wide
 * map {@link ClusterNode#NODES_MAP} and removes it on stop. (Deploying task verticles for placed subtasks comes
 * later.) A node that dies without stopping leaves a stale entry; readers filter by the current members and the
 * leader removes it.
 */
public final class NodeVerticle extends VerticleBase {
  private final String nodeId;
  private final String host;
  private final int httpPort;
  private final int slots;
  private int usedSlots;
  private AsyncMap<String, JsonObject> nodes;

  public NodeVerticle(String nodeId, String host, int httpPort, int slots) {
    this.nodeId = nodeId;
    this.host = host;
    this.httpPort = httpPort;
    this.slots = slots;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP).compose(map -> {
      nodes = map;
      return advertise();
    });
  }

  private Future<Void> advertise() {
    return nodes.put(nodeId, new JsonObject().put("id", nodeId).put("host", host).put("httpPort", httpPort)
        .put("slots", slots).put("usedSlots", usedSlots));
  }

  @Override
  public Future<?> stop() {
    return nodes == null ? Future.succeededFuture() : nodes.remove(nodeId);
  }
}
