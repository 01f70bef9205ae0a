package io.eddy.deployer;

import io.eddy.deployer.control.NodeRequest;

import io.eddy.config.JobConfig;
import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.NodeListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's presence in the cluster and the host of its tasks. It advertises {@code {id, host, httpPort, slots,
 * usedSlots}} in the cluster-wide map {@link ClusterNode#NODES_MAP} and removes it on stop. A node that dies without
 * stopping leaves a stale entry; readers filter by the current members and the leader removes it.
 *
 * <p>On {@link #tasksAddress} it takes the leader's requests: {@code {action: "deploy", jobId, attempt, job, source,
 * slots: [node ids], tasks: [[vertex, subtask], ...], restore}} builds the job from its JSON (every node holds the
 * same bundle, so nothing but JSON travels) and deploys one {@link TaskVerticle} per task, replying once all have
 * started; frames to a subtask whose slot is on this node are handed over as objects, all others are serialized.
 * {@code {action: "undeploy", jobId, attempt}} undeploys the job's tasks of that attempt and earlier ones. Every
 * {@link #REFRESH_MILLIS} it also undeploys orphaned tasks (see {@link #undeployOrphans}).
 *
 * <p>A node that no longer sees a quorum of the cluster ({@link ClusterNode#quorumProblem}) undeploys every task it
 * hosts and refuses deployments until the quorum is back, as a Flink TaskManager fails its tasks when it loses
 * their JobManager: their leader is either on the other side of a partition, where it has already restarted them
 * elsewhere, or has stopped leading itself; left running, they would read ahead and write output nobody commits.
 *
 * <p>The advertisement is written again whenever a node leaves and every {@link #REFRESH_MILLIS}: a member that
 * dies before the partitions' backups are in place (right after a join) takes some entries with it.
 */
public final class NodeVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeVerticle.class);
  /** How often the advertisement is written again. */
  public static final long REFRESH_MILLIS = 5_000;

  private final ClusterNode node;
  private final String nodeId;
  private final String host;
  private final int httpPort;
  private final int slots;
  private AsyncMap<String, JsonObject> nodes;
  private MessageConsumer<Object> requests;
  private final Map<String, Hosted> hosted = new LinkedHashMap<>(); // by jobId/attempt
  private final Set<TaskVerticle> tasks = java.util.concurrent.ConcurrentHashMap.newKeySet(); // for the meters
  private volatile boolean hostsTasks;

  /** The tasks of one attempt of one job on this node. */
  private record Hosted(String jobId, int attempt, Set<Integer> slots, List<String> deployments, long since) {}

  /** How long a job's tasks may run here without the job being listed in the registry. */
  static final long UNLISTED_GRACE_MILLIS = 30_000;

  /** @return where the leader sends a node its deploy and undeploy requests */
  public static String tasksAddress(String nodeId) {
    return "eddy.node." + nodeId + ".tasks";
  }

  private long timer = -1;
  private final NodeListener membership = new NodeListener() {
    @Override
    public void nodeAdded(String nodeID) {
    }

    @Override
    public void nodeLeft(String nodeID) {
      context.runOnContext(v -> {
        advertise();
        undeployWithoutQuorum();
      });
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
      requests = vertx.eventBus().consumer(tasksAddress(nodeId), this::onRequest);
      return requests.completion();
    }).compose(v -> advertise()).onSuccess(v -> {
      node.addNodeListener(membership);
      timer = vertx.setPeriodic(REFRESH_MILLIS, t -> {
        advertise();
        undeployOrphans();
        undeployWithoutQuorum();
      });
      // loads RocksDB's native library now, off the event loop, rather than in the first task placed here
      // (a node that just joined takes over subtasks during a rescale, whose pause this would lengthen)
      vertx.executeBlocking(() -> Class.forName(io.eddy.state.RocksDbKeyedStateBackend.class.getName()), false);
    });
  }

  private Future<Void> advertise() {
    return nodes.put(nodeId, new JsonObject().put("id", nodeId).put("host", host).put("httpPort", httpPort)
        .put("slots", slots).put("usedSlots", usedSlots()));
  }

  /** Slots in use: one per slot index of each job with tasks here (a slot holds one subtask of every vertex). */
  private int usedSlots() {
    Map<String, Set<Integer>> byJob = new LinkedHashMap<>();
    hosted.values().forEach(h -> byJob.computeIfAbsent(h.jobId(), j -> new HashSet<>()).addAll(h.slots()));
    return byJob.values().stream().mapToInt(Set::size).sum();
  }

  private void onRequest(Message<Object> msg) {
    if (msg.body() instanceof NodeRequest.Deploy d) {
      deploy(d).onComplete(ar -> {
        advertise();
        if (ar.succeeded()) {
          msg.reply("deployed");
        } else {
          msg.fail(500, String.valueOf(ar.cause().getMessage()));
        }
      });
    } else if (msg.body() instanceof NodeRequest.Undeploy u) {
      undeploy(u.jobId(), u.attempt()).onComplete(ar -> {
        advertise();
        msg.reply("undeployed");
      });
    } else {
      msg.fail(400, "not a node request: " + (msg.body() == null ? "no body" : msg.body().getClass().getSimpleName()));
    }
  }

  private Future<Void> deploy(NodeRequest.Deploy request) {
    String jobId = request.jobId();
    int attempt = request.attempt();
    String noQuorum = node.quorumProblem();
    if (noQuorum != null) {
      return Future.failedFuture("node " + nodeId + " takes no tasks: " + noQuorum);
    }
    JobDefinition job;
    try {
      JobConfig config = JobConfig.parse(request.jobJson(), request.source());
      // the job's path parameters must lie under this node's roots too
      job = JobDefinition.load(config.withParams(config.params().withPathPolicy(node.pathPolicy())),
          Thread.currentThread().getContextClassLoader());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    SlotAssignment assignment = new SlotAssignment(request.slots());
    JsonObject restore = request.restoreJson() == null ? null : new JsonObject(request.restoreJson());
    Hosted h = new Hosted(jobId, attempt, new HashSet<>(), new ArrayList<>(), System.currentTimeMillis());
    hosted.put(jobId + "/" + attempt, h);
    hostsTasks = true;
    List<Future<String>> deployed = new ArrayList<>();
    for (NodeRequest.Subtask t : request.tasks()) {
      TaskId id = new TaskId(jobId, attempt, t.vertex(), t.subtask());
      h.slots().add(id.subtask() % assignment.parallelism());
      TaskVerticle task = new TaskVerticle(id, job, other -> nodeId.equals(assignment.nodeOf(other)), restore);
      deployed.add(vertx.deployVerticle(task).onSuccess(d -> {
        h.deployments().add(d);
        tasks.add(task);
      }));
    }
    return Future.join(deployed).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(LocalTaskHosts.firstCause(deployed, e)));
  }

  /**
   * Undeploys tasks no coordinator will ever stop: those of an attempt the registry has moved past (a deploy request
   * that arrived after its coordinator gave up on it), of a job that has ended, or of a job the registry does not
   * list (its entry was lost with no durable copy).
   */
  private void undeployOrphans() {
    if (hosted.isEmpty()) {
      return;
    }
    // values as Object: a malformed entry must reach ClusterMapEntries, not fail a cast in the handler
    vertx.sharedData().<String, Object>getAsyncMap(JobRegistry.JOBS_MAP).onSuccess(jobs -> {
      for (Hosted h : List.copyOf(hosted.values())) {
        jobs.get(h.jobId()).onSuccess(entry -> {
          boolean orphan;
          JsonObject job = entry == null ? null : ClusterMapEntries.job(h.jobId(), entry);
          if (entry != null && job == null) {
            return; // malformed (logged): no reason to stop tasks
          }
          if (job == null) {
            orphan = System.currentTimeMillis() - h.since() > UNLISTED_GRACE_MILLIS;
          } else {
            String state = job.getString("state", "");
            orphan = job.getInteger("attempt", -1) > h.attempt()
                || state.equals("FINISHED") || state.equals("FAILED") || state.equals("CANCELED");
          }
          if (orphan && hosted.containsKey(h.jobId() + "/" + h.attempt())) {
            LOG.warn("node {}: undeploying orphaned tasks of job {} attempt {}", nodeId, h.jobId(), h.attempt());
            undeploy(h.jobId(), h.attempt()).onComplete(v -> advertise());
          }
        });
      }
    });
  }

  /** Undeploys every task hosted here while this node sees no quorum. */
  private void undeployWithoutQuorum() {
    String problem = node.quorumProblem();
    if (problem == null || hosted.isEmpty()) {
      return;
    }
    LOG.warn("node {}: undeploying the tasks it hosts: {}", nodeId, problem);
    for (Hosted h : List.copyOf(hosted.values())) {
      undeploy(h.jobId(), h.attempt()).onComplete(v -> advertise());
    }
  }

  private Future<Void> undeploy(String jobId, int attempt) {
    List<Future<?>> undeployed = new ArrayList<>();
    hosted.values().removeIf(h -> {
      if (!h.jobId().equals(jobId) || h.attempt() > attempt) {
        return false;
      }
      h.deployments().forEach(d -> undeployed.add(vertx.undeploy(d)));
      return true;
    });
    hostsTasks = !hosted.isEmpty();
    return Future.join(undeployed).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /**
   * @return the tasks this node runs now (any thread): those it deployed that are still live; the others are
   *     forgotten here
   */
  public java.util.List<TaskVerticle> runningTasks() {
    tasks.removeIf(t -> io.eddy.runtime.LiveTasks.get(t.id()) != t); // deployed, so it was live: it stopped
    return java.util.List.copyOf(tasks);
  }

  /** @return whether this node runs tasks of some job (readable from any thread) */
  public boolean hostsTasks() {
    return hostsTasks;
  }

  @Override
  public Future<?> stop() {
    node.removeNodeListener(membership);
    vertx.cancelTimer(timer);
    return nodes == null ? Future.succeededFuture() : nodes.remove(nodeId);
  }
}
