package io.eddy.deployer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.NodeListener;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deployer candidate. Every node runs one; the candidate holding the cluster-wide lock
 * {@link ClusterNode#LEADER_LOCK} is the leader and records its node id under {@link ClusterNode#LEADER_KEY} in
 * {@link ClusterNode#CLUSTER_MAP}. The others keep asking for the lock with a short timeout; Hazelcast releases
 * a lock whose owner leaves the cluster, so when the leader's node dies (or stops) one of them takes over.
 *
 * <p>The leader removes the advertisements of nodes that left (on taking over and on every {@code nodeLeft}) and
 * writes the leader key again on every {@code nodeLeft} (a member dying before backups are in place loses entries).
 * It runs the cluster's jobs through its {@link JobRegistry}: on taking over it carries on every job the former
 * leader left unfinished, and on every {@code nodeLeft} it fails over the jobs that had tasks on that node.
 *
 * <p>Split-brain protection: the lock alone cannot be trusted, since a member cut off from the others (a partition, a
 * long pause) still believes it holds it while the others' side releases it for a new leader. So a candidate asks for
 * the lock only while it sees a quorum ({@link NodeConfig#quorum}: a majority of {@code clusterSize}, itself included),
 * and a leader that sees fewer members (on {@code nodeLeft}, and checked again every poll) stops leading at once:
 * {@link JobRegistry#revoke} stops its jobs' tasks without a checkpoint and publishes nothing more, the leader record
 * is withdrawn and the lock released. Of the two sides of a partition at most one has a quorum, so at most one writes
 * a job's checkpoints and registry entry. Once the quorum is back the candidate campaigns again, and whoever wins
 * carries the jobs on from their latest completed checkpoints, as after a failover.
 */
public final class DeployerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DeployerVerticle.class);

  private final ClusterNode node;
  private final long pollMillis;
  private volatile boolean leader;
  private volatile String noQuorum; // why this candidate may not lead now, or null
  private boolean stopped;
  private long quorumTimer = -1;
  private Lock lock;
  private AsyncMap<String, JsonObject> nodes;
  private AsyncMap<String, String> cluster;
  private JobRegistry registry;
  private final NodeListener membership = new NodeListener() {
    @Override
    public void nodeAdded(String nodeID) {
      int size = node.config().clusterSize();
      int members = node.members().size();
      if (size > 1 && members > size) {
        // two sides of a partition could then both see a "majority"
        LOG.warn("the cluster has {} members but key 'clusterSize' is {}: set it to the number of nodes", members, size);
      }
    }

    @Override
    public void nodeLeft(String nodeID) {
      context.runOnContext(v -> {
        if (leader && !stopped && !checkQuorum()) {
          nodes.remove(nodeID);
          if (registry != null) {
            registry.nodeLeft(nodeID);
          }
          // the departed member may have held the partition with the leader key
          cluster.put(ClusterNode.LEADER_KEY, node.nodeId());
        }
      });
    }
  };

  /**
   * @param node       the node this candidate runs on
   * @param pollMillis how long one attempt to take the lock waits before the next
   */
  public DeployerVerticle(ClusterNode node, long pollMillis) {
    this.node = node;
    this.pollMillis = pollMillis;
  }

  /** @return whether this candidate holds the leader lock and sees a quorum */
  public boolean isLeader() {
    return leader;
  }

  /**
   * @param members the members a node sees, itself included
   * @param config  its settings
   * @return why it may not lead with that many members, or null when they are a quorum
   */
  static String quorumProblem(int members, NodeConfig config) {
    int quorum = config.quorum();
    return members >= quorum ? null : "no quorum: this node sees " + members + " of the cluster's " + config.clusterSize()
        + " nodes (key 'clusterSize'); leading needs " + quorum;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP).compose(n -> {
      nodes = n;
      return vertx.sharedData().<String, String>getAsyncMap(ClusterNode.CLUSTER_MAP);
    }).onSuccess(c -> {
      cluster = c;
      node.addNodeListener(membership);
      // a missed or late membership event must not leave a leader without a quorum leading
      quorumTimer = vertx.setPeriodic(QUORUM_CHECK_MILLIS, t -> {
        if (leader && !stopped) {
          checkQuorum();
        }
      });
      campaign();
    });
  }

  /**
   * The leader's check: steps down if it no longer sees a quorum.
   *
   * @return whether it stepped down
   */
  private boolean checkQuorum() {
    String problem = node.quorumProblem();
    if (problem == null) {
      return false;
    }
    stepDown(problem);
    return true;
  }

  private void campaign() {
    if (stopped) {
      return;
    }
    String problem = node.quorumProblem();
    if (problem != null) {
      if (!problem.equals(noQuorum)) {
        LOG.warn("node {} does not campaign for leadership: {}", node.nodeId(), problem);
      }
      noQuorum = problem;
      vertx.setTimer(QUORUM_CHECK_MILLIS, t -> campaign());
      return;
    }
    if (noQuorum != null) {
      LOG.info("node {} sees a quorum again ({} members): campaigning for leadership", node.nodeId(),
          node.members().size());
      noQuorum = null;
    }
    vertx.sharedData().getLockWithTimeout(ClusterNode.LEADER_LOCK, pollMillis).onComplete(ar -> {
      if (ar.succeeded()) {
        if (stopped) {
          ar.result().release();
        } else if (node.quorumProblem() != null) {
          ar.result().release(); // lost the quorum while waiting: a lock granted now proves nothing
          campaign();
        } else {
          lock = ar.result();
          becomeLeader();
        }
      } else if (!stopped) {
        // a timeout (another candidate leads) or a transient error: ask again shortly
        vertx.setTimer(10, t -> campaign());
      }
    });
  }

  private void becomeLeader() {
    String self = node.nodeId();
    cluster.put(ClusterNode.LEADER_KEY, self).onComplete(ar -> {
      if (lock == null || stopped) {
        return; // stepped down (or stopping) meanwhile
      }
      if (node.quorumProblem() != null) {
        leader = true; // so that stepping down undoes the election completely
        checkQuorum();
        return;
      }
      if (ar.failed()) {
        LOG.warn("node {} holds the leader lock but could not record it: {}", self, ar.cause().toString());
      }
      leader = true;
      LOG.info("node {} is the leader", self);
      removeDeparted();
      registry = new JobRegistry(vertx, node);
      registry.start().onFailure(e -> LOG.warn("node {}: the job registry did not start: {}", self, e.toString()));
    });
  }

  /**
   * Stops leading at once (the quorum is lost): the jobs' tasks stop with no checkpoint and nothing more is published
   * ({@link JobRegistry#revoke}), the leader record goes and the lock is released; then the candidate waits for the
   * quorum to campaign again. The jobs' state stays where the last completed checkpoints left it, for whichever node
   * leads next.
   */
  private void stepDown(String why) {
    if (!leader) {
      return;
    }
    leader = false;
    noQuorum = why;
    String self = node.nodeId();
    LOG.warn("node {} stops leading: {}", self, why);
    JobRegistry r = registry;
    registry = null;
    if (r != null) {
      r.revoke();
    }
    Lock held = lock;
    lock = null;
    // only this side of a partition sees the removal; the side with a quorum records its own leader
    cluster.removeIfPresent(ClusterNode.LEADER_KEY, self).onComplete(ar -> {
      if (held != null) {
        held.release();
      }
      campaign();
    });
  }

  /** Removes the advertisements of nodes that are no longer members (they died while nobody led). */
  private void removeDeparted() {
    nodes.keys().onSuccess(ids -> {
      Set<String> gone = new HashSet<>(ids);
      gone.removeAll(node.members());
      gone.forEach(nodes::remove);
    });
  }

  /**
   * This node leaves gracefully. The leader suspends its jobs with a stopping checkpoint for the next leader to carry
   * on; any other node asks the leader to move the jobs off it.
   *
   * @return completes when the node's tasks may go
   */
  public Future<Void> leave() {
    return leave(System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS);
  }

  private Future<Void> leave(long deadline) {
    if (leader && registry != null) {
      return registry.suspendAll();
    }
    if (!node.hostsTasks()) {
      return Future.succeededFuture(); // nothing to move
    }
    if (System.currentTimeMillis() > deadline) {
      LOG.warn("node {}: the leader did not move the jobs off this node in time; leaving anyway", node.nodeId());
      return Future.succeededFuture();
    }
    // asked again on a timeout: the leader may have left meanwhile (or this node may lead now)
    return vertx.eventBus().<JsonObject>request(JobRegistry.ADDRESS,
            new io.eddy.deployer.control.JobRequest.Drain(node.nodeId()),
            io.eddy.deployer.control.DeployerMessage.delivery(DRAIN_REQUEST_MILLIS))
        .<Void>mapEmpty()
        .recover(e -> {
          io.vertx.core.Promise<Void> retry = io.vertx.core.Promise.promise();
          vertx.setTimer(200, t -> leave(deadline).onComplete(retry));
          return retry.future();
        });
  }

  private static final long DRAIN_TIMEOUT_MILLIS = 70_000;
  private static final long QUORUM_CHECK_MILLIS = 200;
  private static final long DRAIN_REQUEST_MILLIS = 10_000;

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(quorumTimer);
    if (registry != null) {
      registry.stop();
    }
    node.removeNodeListener(membership);
    if (lock == null) {
      return Future.succeededFuture();
    }
    leader = false;
    Lock held = lock;
    lock = null;
    return cluster.removeIfPresent(ClusterNode.LEADER_KEY, node.nodeId())
        .transform(ar -> {
          held.release();
          return Future.succeededFuture();
        });
  }
}
