package io.eddy.deployer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.NodeListener;

/**
 * A node's presence in the cluster: advertises {@code {id, host, httpPort, slots, usedSlots}} in the cluster-wide
 * map {@link ClusterNode#NODES_MAP} and removes it on stop. (Deploying task verticles for placed subtasks comes
 * later.) A node that dies without stopping leaves a stale entry; readers filter by the current members and the
 * leader removes it.
 *
 * <p>The advertisement is written again whenever a node leaves and every {@link #REFRESH_MILLIS}: a member that
 * dies before the partitions' backups are in place (right after a join) takes some entries with it.
 */
public final class NodeVerticle extends VerticleBase {
  /** How often the advertisement is written again. */
  public static final long REFRESH_MILLIS = 5_000;

  private final ClusterNode node;
  private final String nodeId;
  private final String host;
  private final int httpPort;
  private final int slots;
  private int usedSlots;
  private AsyncMap<String, JsonObject> nodes;

  private long timer = -1;
  private final NodeListener membership = new NodeListener() {
    @Override
    public void nodeAdded(String nodeID) {
    }

    @Override
    public void nodeLeft(String nodeID) {
      context.runOnContext(v -> advertise());
    }
  };

  /**
   * @param node     the node advertised (its membership events trigger a refresh)
   * @param host     the node's host
   * @param httpPort the node's REST port
   * @param slots    the task slots it offers
   */
  public NodeVerticle(ClusterNode node, String host, int httpPort, int slots) {
    this.node = node;
    this.nodeId = node.nodeId();
    this.host = host;
    this.httpPort = httpPort;
    this.slots = slots;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP).compose(map -> {
      nodes = map;
      return advertise();
    }).onSuccess(v -> {
      node.addNodeListener(membership);
      timer = vertx.setPeriodic(REFRESH_MILLIS, t -> advertise());
    });
  }

  private Future<Void> advertise() {
    return nodes.put(nodeId, new JsonObject().put("id", nodeId).put("host", host).put("httpPort", httpPort)
        .put("slots", slots).put("usedSlots", usedSlots));
  }

  @Override
  public Future<?> stop() {
    node.removeNodeListener(membership);
    vertx.cancelTimer(timer);
    return nodes == null ? Future.succeededFuture() : nodes.remove(nodeId);
  }
}
