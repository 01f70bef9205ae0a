package io.eddy.deployer;

import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;
import io.eddy.deployer.control.JobRequest;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's jobs: each runs under a {@link JobCoordinator} on this node whose tasks {@link ClusterTaskHosts}
 * places across the cluster. Every change of a job (state, attempt, placement) is written to the cluster-wide map
 * {@link #JOBS_MAP}, which every node's REST API reads, and to {@code job-<id>.json} next to the job's checkpoints,
 * so that a new leader, on taking over, carries on every job that had not ended from its latest completed checkpoint.
 *
 * <p>The leader takes job mutations on {@link #ADDRESS} (every node's REST API forwards them there): the
 * {@link JobRequest}s submit, cancel, take a savepoint, rescale, and drain (a node leaving gracefully). Failures are replies with the HTTP status
 * as the code: 400 for a bad job, 404 for an unknown id, 409 for a request the job's state refuses.
 *
 * <p>Every second it reconciles: a job running on fewer slots than it wants (an adaptive job after a node joined, a
 * fixed one after a failover) or on a draining node is rescaled. Confined to the deployer's context.
 */
final class JobRegistry {
  /** The cluster-wide map of job id to the job's JSON. */
  static final String JOBS_MAP = "eddy.jobs";
  /**
   * The cluster-wide map of job id to its live details, {@code {vertices, checkpoints}} (see
   * {@link JobCoordinator#vertexMetrics} and {@link JobCoordinator#checkpointHistory}), written with the job's entry.
   * The job's entry and its durable copy carry the same details under {@link #DETAILS_KEY}, so that a new leader
   * goes on from them (the checkpoint history survives a leader change); the REST API leaves that key out.
   */
  static final String DETAILS_MAP = "eddy.jobs.details";
  /** The key of a job entry that holds its details as last published. */
  static final String DETAILS_KEY = "details";
  /** Where the leader takes job mutations. */
  static final String ADDRESS = "eddy.deployer.jobs";

  private static final Logger LOG = LoggerFactory.getLogger(JobRegistry.class);
  private static final long RECONCILE_MILLIS = 1000;

  private final Vertx vertx;
  private final ClusterNode node;
  private final ClusterTaskHosts hosts;
  private final Map<String, RegisteredJob> jobs = new LinkedHashMap<>();
  private RegistryEntries entries;
  private MessageConsumer<Object> requests;
  private long reconcileTimer = -1;
  private boolean revoked; // this node no longer leads: nothing more is published
  private final java.util.Set<String> unresumable = new java.util.HashSet<>(); // entries resume could not carry on

  JobRegistry(Vertx vertx, ClusterNode node) {
    this.vertx = vertx;
    this.node = node;
    this.hosts = new ClusterTaskHosts(vertx, node);
  }

  /** Loads the registry, carries on the jobs that had not ended, and starts taking requests. */
  Future<Void> start() {
    return RegistryEntries.open(vertx).compose(opened -> {
      entries = opened;
      return opened.load(node.config().checkpointDirectory());
    }).compose(known -> {
      if (revoked) {
        return Future.succeededFuture(); // this node stopped leading while it loaded the registry
      }
      known.values().forEach(this::resume);
      requests = vertx.eventBus().consumer(ADDRESS, this::onRequest);
      reconcileTimer = vertx.setPeriodic(RECONCILE_MILLIS, t -> reconcile());
      return requests.completion();
    });
  }

  void stop() {
    jobs.values().forEach(e -> {
      if (e.meters != null) {
        e.meters.remove(); // another node leads now and exports them
      }
    });
    vertx.cancelTimer(reconcileTimer);
    if (requests != null) {
      requests.unregister();
    }
  }

  /**
   * This node stopped leading (it lost the quorum): every job that has not ended stops at once, with no checkpoint
   * ({@link JobCoordinator#revoke}), its tasks are cancelled where this node still reaches them (its own node at
   * least), and nothing is written to the cluster maps or next to the checkpoints any more, so the entries stay as
   * the last completed checkpoint left them for the next leader. Requests go unanswered (this node's consumer is
   * gone; clients retry against the next leader).
   */
  void revoke() {
    revoked = true;
    stop();
    for (RegisteredJob e : jobs.values()) {
      if (e.coordinator != null && e.result == null && e.failure == null && !isOver(e.coordinator)) {
        e.coordinator.revoke();
      }
    }
  }

  /** Carries on a job a former leader ran, unless it had ended. */
  private void resume(JsonObject saved) {
    String id = saved.getString("id");
    if (jobs.containsKey(id)) {
      return;
    }
    JobStatus state = JobStatus.valueOf(saved.getString("state"));
    JobDefinition job;
    try {
      JobConfig config = JobConfig.parse(saved.getJsonObject("config").encode(), saved.getString("source"));
      job = JobDefinition.load(config.withParams(config.params().withPathPolicy(node.pathPolicy())),
          Thread.currentThread().getContextClassLoader());
    } catch (RuntimeException e) {
      LOG.warn("job {}: cannot carry on: {}", id, e.getMessage());
      return;
    }
    RegisteredJob e = new RegisteredJob(id, job, saved.getString("restoreFrom"));
    e.submittedAt = saved.getLong("submittedAt", e.submittedAt);
    e.published = saved; // until this leader publishes it
    jobs.put(id, e);
    measure(e);
    JsonObject details = saved.getJsonObject(DETAILS_KEY); // checked by ClusterMapEntries.job
    if (state == JobStatus.FINISHED || state == JobStatus.FAILED || state == JobStatus.CANCELED) {
      e.coordinator = coordinator(e, job);
      e.result = new JobResult(id, job.config().name(), state, saved.getString("error"), 0, Map.of());
      e.endedBefore = saved;
      if (details != null) { // the details map may have lost them with the former leader
        e.details = details;
        entries.republishDetails(id, details);
      }
      return;
    }
    int attempt = saved.getInteger("attempt", -1);
    JobCoordinator c = coordinator(e, job);
    c.carryDetails(details); // the checkpoints and figures of former leaders go on
    if (attempt >= 0) {
      c.carryMetrics(saved.getJsonObject("metrics")).resumeAfter(attempt, saved.getLong("firstCheckpointId", 1L));
    }
    LOG.info("job {}: carried on by the new leader after attempt {}", id, attempt);
    run(e, c);
  }

  private JobCoordinator coordinator(RegisteredJob e, JobDefinition job) {
    JsonObject scaling = job.config().raw().getJsonObject("scaling", new JsonObject());
    int max = job.config().maxParallelism();
    JobCoordinator c = new JobCoordinator(vertx, job, e.restoreFrom, e.id, hosts);
    if ("adaptive".equals(scaling.getString("mode"))) {
      c.scaling(Math.min(max, scaling.getInteger("max", max)), 1);
    }
    return c.onChange(() -> publish(e));
  }

  private void run(RegisteredJob e, JobCoordinator c) {
    e.coordinator = c;
    c.run().onComplete(ar -> {
      if (ar.succeeded()) {
        e.result = ar.result();
      } else {
        e.failure = String.valueOf(ar.cause().getMessage());
      }
      e.endedAt = System.currentTimeMillis();
      publish(e).onComplete(x -> e.endPublished.tryComplete());
    });
    publish(e);
  }

  // ---- requests

  private void onRequest(Message<Object> msg) {
    if (!(msg.body() instanceof JobRequest request)) {
      msg.fail(400, "not a job request: " + (msg.body() == null ? "no body" : msg.body().getClass().getSimpleName()));
      return;
    }
    if (request instanceof JobRequest.Submit s) {
      submit(msg, s.jobJson(), s.fromSavepoint());
      return;
    }
    if (request instanceof JobRequest.Drain d) {
      drain(d.nodeId()).onComplete(ar -> msg.reply(new JsonObject().put("drained", ar.succeeded())));
      return;
    }
    String id = request instanceof JobRequest.Cancel c ? c.jobId()
        : request instanceof JobRequest.TakeSavepoint t ? t.jobId() : ((JobRequest.Rescale) request).jobId();
    RegisteredJob e = jobs.get(id);
    if (e == null) {
      msg.fail(404, "no job '" + id + "'");
      return;
    }
    if (e.result != null || e.failure != null) {
      msg.fail(409, "job '" + e.id + "' has ended (" + (e.result != null ? e.result.status() : JobStatus.FAILED) + ")");
      return;
    }
    Future<JsonObject> answer;
    if (request instanceof JobRequest.Cancel) {
      // answered once GET /jobs/{id} shows it canceled, on any node
      answer = e.coordinator.cancel().compose(r -> e.endPublished.future())
          .map(v -> new JsonObject().put("id", e.id).put("canceled", true));
    } else if (request instanceof JobRequest.TakeSavepoint t) {
      String what = t.directory() == null ? "the job's savepoint directory" : "body key 'directory'";
      String asked = t.directory() == null ? savepointPath(e).toString() : t.directory();
      // a ConfigException (outside the node's path roots) answers 400 below
      answer = vertx.executeBlocking(() -> node.pathPolicy().resolve(what, asked), false)
          .compose(target -> t.stop()
              ? e.coordinator.stopWithSavepoint(target).compose(p -> e.endPublished.future().map(p))
              : e.coordinator.savepoint(target))
          .map(p -> new JsonObject().put("id", e.id).put("savepoint", p.toString()));
    } else {
      int p = ((JobRequest.Rescale) request).parallelism();
      if (p < 1 || p > e.submitted.config().maxParallelism()) {
        msg.fail(400, "query parameter 'parallelism': " + p + (p < 1 ? " is not positive"
            : " exceeds the job's maxParallelism " + e.submitted.config().maxParallelism()));
        return;
      }
      answer = e.coordinator.rescale(p).map(v -> new JsonObject().put("id", e.id).put("parallelism", p));
    }
    answer.onSuccess(msg::reply)
        .onFailure(err -> msg.fail(err instanceof ConfigException ? 400 : 409, String.valueOf(err.getMessage())));
  }

  private void submit(Message<Object> msg, String json, String fromSavepoint) {
    JobSubmission submission;
    try {
      submission = JobSubmission.parse(json, node.config().checkpointDirectory(), node.pathPolicy());
    } catch (RuntimeException e) {
      msg.fail(400, String.valueOf(e.getMessage()));
      return;
    }
    JobDefinition submitted = submission.job();
    String name = submitted.config().name();
    if (refusedAsSameName(msg, name)) {
      return;
    }
    submission.checkPaths(vertx, node.pathPolicy(), fromSavepoint)
        .onFailure(x -> msg.fail(400, String.valueOf(x.getMessage()))).onSuccess(v -> {
          if (refusedAsSameName(msg, name)) {
            return; // one was submitted while the savepoint was read
          }
          RegisteredJob e = new RegisteredJob(JobCoordinator.newJobId(name), submitted, fromSavepoint);
          jobs.put(e.id, e);
          measure(e);
          run(e, coordinator(e, submitted));
          msg.reply(new JsonObject().put("id", e.id));
        });
  }

  /** Refuses the request (409) if a job of this name has not ended: checkpoints live under the job's name. */
  private boolean refusedAsSameName(Message<Object> msg, String name) {
    for (RegisteredJob other : jobs.values()) {
      if (other.submitted.config().name().equals(name) && other.result == null && other.failure == null) {
        msg.fail(409, "a job named '" + name + "' is already " + other.coordinator.status() + " (" + other.id
            + "); its checkpoints would mix with this one's: cancel it or give this job another 'name'");
        return true;
      }
    }
    return false;
  }

  /** Under the job's checkpoint directory, which {@link #submit} checked against the node's path roots. */
  private static Path savepointPath(RegisteredJob e) {
    String base = e.submitted.config().raw().getJsonObject("checkpoints", new JsonObject())
        .getString("directory", "savepoints");
    if (base.startsWith("file://")) {
      base = base.substring("file://".length());
    }
    return Path.of(base, e.submitted.config().name(), "savepoint-" + System.currentTimeMillis());
  }

  // ---- membership

  void nodeLeft(String nodeId) {
    hosts.nodeLeft(nodeId);
    jobs.values().forEach(e -> e.coordinator.nodeLeft(nodeId));
  }

  /**
   * A node leaves gracefully: no slot is placed there any more, and every job with tasks on it is rescaled onto the
   * others with a stopping checkpoint, so nothing is replayed. Completes once none runs there.
   */
  Future<Void> drain(String nodeId) {
    hosts.drain(nodeId);
    LOG.info("node {} is draining", nodeId);
    reconcile(); // moves the jobs off now; the periodic pass asks again for those that cannot move yet
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.currentTimeMillis() + 60_000;
    vertx.setPeriodic(200, t -> {
      boolean busy = jobs.values().stream().map(e -> e.coordinator)
          .anyMatch(c -> c.slots() != null && c.slots().nodes().contains(nodeId) && !isOver(c));
      if (!busy || System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(t);
        done.complete();
      }
    });
    return done.future();
  }

  /**
   * This leader hands over: every running job takes a stopping checkpoint and stops, so that the next leader
   * carries it on from there with nothing replayed.
   */
  Future<Void> suspendAll() {
    List<Future<?>> suspended = new ArrayList<>();
    for (RegisteredJob e : jobs.values()) {
      if (!isOver(e.coordinator)) {
        suspended.add(e.coordinator.suspend().compose(v -> publish(e)));
      }
    }
    return Future.join(suspended).<Void>mapEmpty().recover(x -> Future.succeededFuture());
  }

  /** Publishes the job's entry, unless this node no longer leads (another leader owns the entries now). */
  private Future<Void> publish(RegisteredJob e) {
    return revoked ? Future.succeededFuture() : entries.publish(e);
  }

  private static boolean isOver(JobCoordinator c) {
    JobStatus s = c.status();
    return s == JobStatus.FINISHED || s == JobStatus.FAILED || s == JobStatus.CANCELED;
  }

  /**
   * Carries on the jobs that appear in the cluster map after this node began leading: when a partitioned cluster
   * heals, Hazelcast merges the entries of the smaller side into the larger one after the members have joined, so a
   * leader elected on the larger side may have loaded the registry before the entries the other side kept.
   */
  private void adoptMergedEntries() {
    entries.inMap().onSuccess(found -> {
      for (JsonObject saved : found.values()) {
        String id = saved.getString("id");
        if (!revoked && !jobs.containsKey(id) && !unresumable.contains(id)) {
          LOG.info("job {}: entry found in the registry after this node began leading (a healed partition); carrying"
              + " it on", id);
          resume(saved);
          if (!jobs.containsKey(id)) {
            unresumable.add(id); // resume said why (logged once)
          }
        }
      }
    });
  }

  /** Rescales jobs that run below the parallelism they want while slots are free, or on a draining node. */
  private void reconcile() {
    adoptMergedEntries();
    for (RegisteredJob e : jobs.values()) {
      JobCoordinator c = e.coordinator;
      if (c.status() != JobStatus.RUNNING || c.slots() == null || c.suspended()) {
        continue;
      }
      java.util.Optional<String> draining = c.slots().nodes().stream().filter(hosts::isDraining).findFirst();
      if (draining.isPresent()) {
        moveOff(e, c, draining.get());
        continue;
      }
      int current = c.slots().parallelism();
      if (current >= c.desiredParallelism()) {
        continue;
      }
      hosts.freeSlots(e.id).onSuccess(free -> {
        int possible = Math.min(c.desiredParallelism(), free.values().stream().mapToInt(Integer::intValue).sum());
        if (possible > current && c.status() == JobStatus.RUNNING) {
          LOG.info("job {}: rescaling from {} to {} slots", e.id, current, possible);
          rescale(e, c);
        }
      });
    }
  }

  /**
   * A job leaves a draining node: with a stopping checkpoint, so nothing is replayed, or, with no checkpoints to
   * carry its state, by starting again on the other nodes at once.
   */
  private void moveOff(RegisteredJob e, JobCoordinator c, String node) {
    if (!c.checkpointing()) {
      c.nodeLeft(node);
      return;
    }
    LOG.info("job {}: moving off draining node {}", e.id, node);
    rescale(e, c);
  }

  private static void rescale(RegisteredJob e, JobCoordinator c) {
    // refused while the job ends or already moves: the next pass asks again if it still has to
    c.rescale(c.desiredParallelism()).onFailure(x -> LOG.debug("job {}: no rescale now: {}", e.id, x.getMessage()));
  }

  // ---- the registry

  /** Registers the job's meters: this node runs its coordinator, so it exports them. */
  private void measure(RegisteredJob e) {
    e.meters = new JobMeters(node.metrics().registry(), e.id, e.submitted.config().name(), () -> e.published,
        () -> e.details);
  }

}
