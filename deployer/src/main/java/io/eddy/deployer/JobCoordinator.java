package io.eddy.deployer;

import io.eddy.checkpoint.CheckpointSettings;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.RestartStrategy;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.control.TaskReport;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one job on this node: plans it, deploys one {@link TaskVerticle} per subtask, starts them
 * all once every one has started (so no frame or credit goes to an address nobody listens on yet),
 * coordinates its checkpoints, restarts it from its latest completed checkpoint when a task fails
 * (as its restart strategy allows), and stops it when it has finished, failed or been cancelled.
 *
 * <p>Checkpoints: every interval the coordinator tells the source tasks to take checkpoint
 * {@code n}; barriers flow down; every task acknowledges with its state handles; when all have, the
 * metadata is written atomically, old checkpoints are pruned, and every task hears that {@code n}
 * is complete (sinks commit). When all tasks have ended their input, a final checkpoint records
 * what the sinks pre-committed last; its completion lets them commit and finish.
 *
 * <p>Each restart is a new attempt with its own task addresses. All methods run on the Vert.x
 * context that called {@link #run} (an event loop); blocking storage work goes to workers.
 */
public final class JobCoordinator {
  private static final System.Logger LOG = System.getLogger(JobCoordinator.class.getName());
  private static final long CANCEL_WAIT_MILLIS = 2000;
  private static final long SLOT_RETRY_MILLIS = 500;

  private final Vertx vertx;
  private JobDefinition job; // at the parallelism of the current attempt
  private final String jobId;
  private final TaskHosts hosts;
  private final String restoreFrom; // null, "latest" or a checkpoint path
  private final Map<String, Long> metrics = new TreeMap<>(); // of ended tasks and the coordinator's own
  private final Map<String, Map<String, Long>> liveMetrics = new java.util.HashMap<>(); // running tasks' last counters
  private final Promise<JobResult> result = Promise.promise();
  private final AtomicReference<JobStatus> status = new AtomicReference<>(JobStatus.CREATED);
  private final CheckpointSettings checkpoints;
  private final CheckpointStorage storage;
  private final RestartStrategy restartStrategy;
  private final Map<Long, PendingCheckpoint> pending = new TreeMap<>();
  private final List<Long> durations = new ArrayList<>();
  private final VertexMetrics vertexMetrics = new VertexMetrics(); // per vertex, from the acknowledgements
  private final CheckpointHistory history = new CheckpointHistory();
  private SlotAssignment slots; // of the current attempt
  private int desired; // the parallelism asked for
  private int minimumAtStart; // the first attempt waits for this many slots
  private String reason; // why the job waits, or null
  private Runnable onChange = () -> { };
  private boolean resumed; // carries on an attempt a former leader ran
  private boolean suspended; // stopped for a successor to carry on
  private final java.util.Set<String> endedTasks = new java.util.HashSet<>();
  private MessageConsumer<TaskReport> reports;
  private ExecutionPlan plan;
  private int attempt = -1;
  private int remaining;
  private int ended;
  private long nextCheckpointId = 1;
  private long firstCheckpointId = 1; // of this run: lower ids are an earlier run's
  private long lastCompletedAt;
  private long finalCheckpoint = -1;
  private long checkpointTimer = -1;
  private long startNanos;
  private long failedAtNanos; // when the attempt being replaced stopped working
  private String pauseMetric = "restart.lastMillis"; // where the time until the next attempt runs goes
  private String error;
  private boolean finishing;
  private int restartScheduledFor = -1;
  private SplitEnumerators enumerators; // of the current attempt, once it runs

  /** One checkpoint in progress: the acknowledgements so far. */
  private static final class PendingCheckpoint {
    final long id;
    final long startedAt = System.currentTimeMillis();
    final JsonArray tasks = new JsonArray();
    final java.util.Set<String> acked = new java.util.HashSet<>();
    long timeoutTimer = -1;
    Path savepoint; // where to copy it once complete, or null
    final Promise<Path> savepointDone = Promise.promise(); // completes with the checkpoint's directory if no savepoint
    boolean stop; // sources read nothing after the barrier: the job stops once this completes
    long maxAlignmentNanos; // the longest alignment a subtask reported for it
    JsonObject enumerators; // the split enumerators' state at the trigger, or null

    PendingCheckpoint(long id) {
      this.id = id;
    }
  }

  public JobCoordinator(Vertx vertx, JobDefinition job) {
    this(vertx, job, null);
  }

  /**
   * @param restoreFrom null to start afresh, {@code "latest"} for the job's latest completed
   *     checkpoint (afresh when there is none), or the path of a checkpoint directory
   */
  public JobCoordinator(Vertx vertx, JobDefinition job, String restoreFrom) {
    this(vertx, job, restoreFrom, null, new LocalTaskHosts(vertx));
  }

  /**
   * @param jobId the job's id, or null for a new one
   * @param hosts where the tasks run
   */
  public JobCoordinator(Vertx vertx, JobDefinition job, String restoreFrom, String jobId, TaskHosts hosts) {
    this.vertx = vertx;
    this.job = job;
    this.jobId = jobId != null ? jobId : newJobId(job.config().name());
    this.hosts = hosts;
    this.desired = job.config().parallelism();
    this.minimumAtStart = desired;
    this.restoreFrom = restoreFrom;
    this.checkpoints = CheckpointSettings.of(job.config().raw());
    this.storage = checkpoints == null ? null : new CheckpointStorage(checkpoints.directory().resolve(job.config().name()));
    this.restartStrategy = RestartStrategy.of(job.config().raw());
  }

  /** A fresh id for a job called {@code name}. */
  public static String newJobId(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String jobId() {
    return jobId;
  }

  /**
   * Sets the parallelism to ask slots for and how many the first attempt waits for (call before {@link #run}):
   * an adaptive job asks for its maximum and starts with one.
   */
  public JobCoordinator scaling(int desiredParallelism, int minimumAtStart) {
    this.desired = desiredParallelism;
    this.minimumAtStart = Math.min(minimumAtStart, desiredParallelism);
    return this;
  }

  /**
   * Makes {@link #run} carry on a job a former leader ran (call before it): the first attempt is numbered after
   * {@code lastAttempt}, whose tasks are stopped first, and restores this run's latest completed checkpoint (one
   * numbered {@code firstCheckpointId} or later), or else where the run started.
   */
  public JobCoordinator resumeAfter(int lastAttempt, long firstCheckpointId) {
    this.attempt = lastAttempt;
    this.firstCheckpointId = firstCheckpointId;
    this.resumed = true;
    metrics.put("failover.noticedAtEpochMillis", System.currentTimeMillis()); // a new leader took over
    return this;
  }

  /** @param listener runs on the coordinator's context whenever the state, attempt or placement changes */
  public JobCoordinator onChange(Runnable listener) {
    this.onChange = listener;
    return this;
  }

  /** @return the slots of the current attempt, or null before the first is placed */
  public SlotAssignment slots() {
    return slots;
  }

  /** @return why the job waits (for slots), or null */
  public String reason() {
    return reason;
  }

  /** @return the job as the current attempt runs it (its parallelism may differ from the one submitted) */
  public JobDefinition job() {
    return job;
  }

  /** @return the first checkpoint id of this run: lower ones belong to an earlier run of the same job */
  public long firstCheckpointId() {
    return firstCheckpointId;
  }

  /** @return whether the job takes checkpoints (and can therefore rescale) */
  public boolean checkpointing() {
    return checkpoints != null;
  }

  /** @return the parallelism asked for */
  public int desiredParallelism() {
    return desired;
  }

  /**
   * Starts from the counters a former coordinator of this job published (call before {@link #run}), so that they
   * count over the job's whole life.
   */
  public JobCoordinator carryMetrics(JsonObject published) {
    if (published != null) {
      published.forEach(e -> {
        if (e.getValue() instanceof Number n) {
          metrics.put(e.getKey(), n.longValue());
        }
      });
    }
    return this;
  }

  /** @return the metrics so far: those of ended tasks plus the running tasks' counters at their last checkpoint */
  public Map<String, Long> metrics() {
    Map<String, Long> all = new TreeMap<>(metrics);
    liveMetrics.values().forEach(m -> mergeInto(all, m));
    return all;
  }

  /** @return the plan's vertices with their rates, back-pressure and watermarks (see {@link VertexMetrics#describe}) */
  public JsonArray vertexMetrics() {
    return vertexMetrics.describe(plan);
  }

  /** @return the recent checkpoints and the last failure (see {@link CheckpointHistory#describe}) */
  public JsonObject checkpointHistory() {
    return history.describe();
  }

  private static String kindOf(PendingCheckpoint pc, boolean isFinal) {
    return isFinal ? "final" : pc.savepoint != null ? "savepoint" : pc.stop ? "stopping" : "checkpoint";
  }

  private void setStatus(JobStatus s) {
    status.set(s);
    onChange.run();
  }

  public JobStatus status() {
    return status.get();
  }

  /** The plan, once {@link #run} has built it. */
  public ExecutionPlan plan() {
    return plan;
  }

  /** The attempt running now: 0 for the first, one more after each restart. */
  public int attempt() {
    return attempt;
  }

  public Future<JobResult> run() {
    try {
      plan = job.instantiate().plan();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    vertx.executeBlocking(() -> {
      if (checkpoints != null) {
        checkpoints.checkDirectory(job.config().source());
        // above every checkpoint an earlier run left, so that none is overwritten or outranks ours
        nextCheckpointId = storage.highestId() + 1;
        if (!resumed) {
          firstCheckpointId = nextCheckpointId;
        }
      }
      if (resumed) {
        return restartPoint();
      }
      return restoreFrom == null ? null : resolveRestore(restoreFrom);
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        result.tryFail(ar.cause());
      } else if (resumed) {
        // the former leader's tasks may still run on live nodes: stop them before the next attempt
        hosts.undeploy(jobId, attempt).onComplete(v -> deploy(ar.result()));
      } else {
        deploy(ar.result());
      }
    });
    return result.future();
  }

  /** The metadata to restore from (worker thread), with the paths it needs. */
  private JsonObject resolveRestore(String from) throws Exception {
    Path dir;
    if ("latest".equals(from)) {
      if (storage == null) {
        throw new io.eddy.config.ConfigException(job.config().source()
            + ": --from-checkpoint latest needs the job's 'checkpoints' settings");
      }
      Optional<Long> latest = storage.latestToResume();
      if (latest.isEmpty()) {
        Optional<Long> finished = storage.finishedAt();
        if (finished.isPresent() && storage.latest().isPresent()) {
          LOG.log(System.Logger.Level.WARNING, "job {0}: the run that took checkpoint {1} in {2} finished, so there is "
              + "nothing to resume: starting afresh (pass the checkpoint's directory to restore it anyway)",
              job.config().name(), String.valueOf(storage.latest().get()), storage.root());
        } else {
          LOG.log(System.Logger.Level.INFO, "job {0}: no completed checkpoint in {1}, starting afresh",
              job.config().name(), storage.root());
        }
        return null;
      }
      dir = storage.checkpointDirectory(latest.get());
    } else {
      dir = Path.of(from);
    }
    JsonObject meta = CheckpointStorage.readMetadata(dir);
    if (!job.config().name().equals(meta.getString("job"))) {
      throw new io.eddy.config.ConfigException("checkpoint '" + dir + "' belongs to job '" + meta.getString("job")
          + "', not '" + job.config().name() + "'");
    }
    // a savepoint holds its files itself; a checkpoint's paths are relative to the job's directory
    Path metaDir = java.nio.file.Files.isDirectory(dir) ? dir : dir.getParent();
    meta.put("root", (meta.getBoolean("savepoint", false) ? metaDir : metaDir.toAbsolutePath().getParent()).toString());
    nextCheckpointId = Math.max(nextCheckpointId, meta.getLong("checkpointId") + 1);
    LOG.log(System.Logger.Level.INFO, "job {0}: restoring checkpoint {1} from {2}", job.config().name(), String.valueOf(meta.getLong("checkpointId")), dir);
    return meta;
  }

  /** Places the next attempt on free slots (waiting for them if there are too few), then deploys it. */
  private void deploy(JsonObject restore) {
    if (result.future().isComplete() || finishing) {
      return;
    }
    int minimum = attempt < 0 ? minimumAtStart : 1;
    JobDefinition wanted;
    try {
      wanted = job.config().parallelism() == desired ? job
          : new JobDefinition(job.config().withParallelism(desired), job.job());
    } catch (RuntimeException e) {
      finish(JobStatus.FAILED, messageOf(e));
      return;
    }
    hosts.assign(jobId, wanted, minimum).onComplete(ar -> {
      if (result.future().isComplete() || finishing) {
        if (ar.succeeded()) {
          hosts.release(jobId);
        }
        return;
      }
      if (ar.failed()) {
        String why = messageOf(ar.cause());
        if (!why.equals(reason)) {
          reason = why;
          LOG.log(System.Logger.Level.INFO, "job {0} waits: {1}", job.config().name(), why);
          onChange.run();
        }
        vertx.setTimer(SLOT_RETRY_MILLIS, t -> deploy(restore));
        return;
      }
      reason = null;
      SlotAssignment assigned = ar.result();
      try {
        if (assigned.parallelism() != job.config().parallelism() || plan == null) {
          job = new JobDefinition(job.config().withParallelism(assigned.parallelism()), job.job());
          plan = job.instantiate().plan();
        }
      } catch (RuntimeException e) {
        finish(JobStatus.FAILED, messageOf(e));
        return;
      }
      slots = assigned;
      deployAttempt(restore);
    });
  }

  private void deployAttempt(JsonObject restore) {
    attempt++;
    remaining = plan.subtaskCount();
    ended = 0;
    endedTasks.clear();
    finalCheckpoint = -1;
    vertexMetrics.newAttempt();
    int thisAttempt = attempt;
    onChange.run();
    TaskMessage.registerCodecOn(vertx.eventBus());
    reports = vertx.eventBus().<TaskReport>consumer(TaskId.coordinatorAddress(jobId, thisAttempt), m -> onReport(thisAttempt, m.body()));
    List<TaskId> tasks = new ArrayList<>();
    for (JobVertex v : plan.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        tasks.add(new TaskId(jobId, thisAttempt, v.id(), i));
      }
    }
    reports.completion()
        .compose(v -> hosts.deploy(job, slots, tasks, restore))
        .onComplete(ar -> {
          if (thisAttempt != attempt || finishing || restartScheduledFor == thisAttempt) {
            return; // replaced already (a node left while it deployed)
          }
          if (ar.failed()) {
            onFailure(messageOf(ar.cause()));
            return;
          }
          if (startNanos == 0) {
            startNanos = System.nanoTime();
          }
          if (failedAtNanos != 0) {
            metrics.put(pauseMetric, (System.nanoTime() - failedAtNanos) / 1_000_000);
            failedAtNanos = 0;
          }
          setStatus(JobStatus.RUNNING); // after the metrics: listeners publish them
          sendToAll(new TaskCommand.Run());
          enumerators = SplitEnumerators.start(vertx, plan, jobId, thisAttempt, restore, e -> {
            if (thisAttempt == attempt) {
              onFailure(messageOf(e));
            }
          });
          if (checkpoints != null) {
            checkpointTimer = vertx.setPeriodic(checkpoints.intervalMillis(), t -> maybeTrigger());
          }
        });
  }

  /** Cancels a running job; its result completes with {@link JobStatus#CANCELED}. */
  public void cancel() {
    finish(JobStatus.CANCELED, null);
  }

  private void sendToAll(TaskCommand command) {
    for (JobVertex v : plan.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        vertx.eventBus().send(new TaskId(jobId, attempt, v.id(), i).controlAddress(), command, TaskMessage.DELIVERY);
      }
    }
  }

  private static String messageOf(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m;
  }

  private void onReport(int fromAttempt, TaskReport report) {
    if (finishing || fromAttempt != attempt) {
      return;
    }
    if (report instanceof TaskReport.Finished f) {
      mergeMetrics(f, f.counters());
      if (--remaining == 0) {
        finish(JobStatus.FINISHED, null);
      }
    } else if (report instanceof TaskReport.Failed f) {
      mergeMetrics(f, f.counters());
      onFailure(f.error());
    } else if (report instanceof TaskReport.Ended e) {
      int v = e.vertex();
      int i = e.subtask();
      // count each task once, whatever a task repeats
      if (endedTasks.add(v + "/" + i)) {
        if (++ended == plan.subtaskCount()) {
          triggerFinal();
        } else {
          // a checkpoint in progress may wait for this task, which no barrier reaches now
          for (PendingCheckpoint pc : pending.values()) {
            if (!pc.acked.contains(v + "/" + i)) {
              askForSnapshot(pc, v, i);
            }
          }
        }
      }
    } else if (report instanceof TaskReport.CheckpointAck a) {
      onAck(a);
    }
  }

  /** Adds an ended (or stopped) task's final counters; its live counters are superseded. */
  private void mergeMetrics(TaskReport from, Map<String, Long> counters) {
    liveMetrics.remove(from.vertex() + "/" + from.subtask());
    mergeInto(metrics, counters);
  }

  private static void mergeInto(Map<String, Long> into, Map<String, Long> m) {
    m.forEach((k, v) -> into.merge(k, v, k.startsWith("max") ? Math::max : Long::sum));
  }

  // ---- checkpoints

  private void maybeTrigger() {
    if (status.get() != JobStatus.RUNNING || finalCheckpoint >= 0) {
      return; // after the final checkpoint nothing follows
    }
    if (pending.size() >= checkpoints.maxConcurrent()
        || System.currentTimeMillis() - lastCompletedAt < checkpoints.minPauseMillis()) {
      return;
    }
    startCheckpoint(null, false);
  }

  /**
   * Takes a savepoint: a checkpoint of the running job, copied with every file it needs into
   * {@code target}, so it outlives the job's checkpoint retention. Restore it with
   * {@code run --from-checkpoint <target>}, at the same or another parallelism.
   */
  public Future<Path> savepoint(Path target) {
    if (checkpoints == null) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' has no 'checkpoints' settings, which savepoints need"));
    }
    if (status.get() != JobStatus.RUNNING) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' is " + status.get() + ", not running: no savepoint"));
    }
    if (ended > 0 || finalCheckpoint >= 0) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' is ending (some input has ended): no savepoint"));
    }
    return startCheckpoint(target, false).savepointDone.future();
  }

  /** Takes a savepoint, then cancels the job. */
  public Future<Path> stopWithSavepoint(Path target) {
    return savepoint(target).onSuccess(p -> cancel());
  }

  /**
   * Rescales the running job: takes a stopping checkpoint (sources read nothing after its barrier, so the next
   * attempt replays nothing), stops the attempt, and deploys the next one at {@code parallelism} (or what the free
   * slots allow), each subtask restoring its key-group range from that checkpoint.
   *
   * @return completes once the checkpoint is taken and the job is being redeployed
   */
  public Future<Void> rescale(int parallelism) {
    if (checkpoints == null) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' has no 'checkpoints' settings, which rescaling needs"));
    }
    if (status.get() != JobStatus.RUNNING || ended > 0 || finalCheckpoint >= 0 || restartScheduledFor == attempt) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' is " + (ended > 0 ? "ending" : status.get()) + ": it cannot rescale now"));
    }
    int from = attempt;
    restartScheduledFor = attempt; // failures of this attempt no longer restart it: the rescale replaces it
    long sourcesStop = System.nanoTime(); // the pause starts when the sources stop at the barrier
    PendingCheckpoint pc = startCheckpoint(null, true);
    return pc.savepointDone.future().compose(dir -> {
      if (finishing || attempt != from) {
        return Future.<Void>succeededFuture();
      }
      desired = parallelism;
      // of the pause, the stopping checkpoint's share; the rest is stopping, placing and restoring the attempt
      metrics.put("rescale.lastStopCheckpointMillis", (System.nanoTime() - sourcesStop) / 1_000_000);
      setStatus(JobStatus.RESTARTING);
      failedAtNanos = sourcesStop;
      pauseMetric = "rescale.lastPauseMillis";
      metrics.merge("rescales", 1L, Long::sum);
      LOG.log(System.Logger.Level.INFO, "job {0}: rescaling to {1} from checkpoint {2}", job.config().name(),
          String.valueOf(parallelism), String.valueOf(pc.id));
      return stopAttempt()
          .compose(v -> vertx.executeBlocking(() -> resolveRestore(dir.toString()), true))
          .onComplete(ar -> {
            if (ar.failed()) {
              finish(JobStatus.FAILED, "cannot rescale: " + messageOf(ar.cause()));
            } else {
              deploy(ar.result());
            }
          }).<Void>mapEmpty();
    }).recover(e -> {
      // the sources stopped at the barrier: the attempt cannot go on, so restart it as after a failure
      if (!finishing && attempt == from) {
        restartScheduledFor = -1;
        onFailure("rescale checkpoint failed: " + messageOf(e), false);
      }
      return Future.failedFuture(e);
    });
  }

  /**
   * Stops the job for another coordinator to carry on (this node's leader hands over): takes a stopping checkpoint
   * when it can, so that the successor, which restores the latest completed checkpoint, replays nothing; then stops
   * every task. The job's result never completes here; the state stays {@code RESTARTING}.
   */
  public Future<Void> suspend() {
    if (finishing) {
      return Future.succeededFuture();
    }
    boolean canCheckpoint = checkpoints != null && status.get() == JobStatus.RUNNING && ended == 0
        && finalCheckpoint < 0 && restartScheduledFor != attempt;
    Future<?> checkpoint = canCheckpoint ? startCheckpoint(null, true).savepointDone.future() : Future.succeededFuture();
    return checkpoint.transform(ar -> {
      finishing = true; // nothing this coordinator hears from now on changes the job
      suspended = true;
      status.set(JobStatus.RESTARTING);
      return stopAttempt();
    }).onComplete(ar -> onChange.run());
  }

  /**
   * This node stopped leading (it lost the quorum): stops every task it reaches at once, with no checkpoint, and
   * ignores everything from now on; the next leader carries the job on from its latest completed checkpoint.
   */
  public Future<Void> revoke() {
    if (finishing) {
      return Future.succeededFuture();
    }
    finishing = true;
    suspended = true;
    status.set(JobStatus.RESTARTING);
    return stopAttempt();
  }

  /** @return whether {@link #suspend} stopped the job for another coordinator */
  public boolean suspended() {
    return suspended;
  }

  /**
   * A node left the cluster: when it ran tasks of the current attempt, the attempt is gone; the job is redeployed on
   * the surviving slots from its latest completed checkpoint, at once and without counting against the restart
   * strategy (which is for failures of the job itself).
   */
  public void nodeLeft(String node) {
    if (slots != null && slots.nodes().contains(node) && !finishing) {
      // wall-clock time, so that whoever killed the node can tell how long noticing it took
      metrics.put("failover.noticedAtEpochMillis", System.currentTimeMillis());
      // a checkpoint in progress cannot complete without the node's tasks; aborting a rescale's stopping
      // checkpoint hands the restart to the rescale, which would otherwise wait for the checkpoint's timeout
      new ArrayList<>(pending.values()).forEach(pc -> abort(pc, "node " + node + " left the cluster"));
      onFailure("node " + node + " left the cluster", false);
    }
  }

  private PendingCheckpoint startCheckpoint(Path savepoint, boolean stop) {
    PendingCheckpoint pc = new PendingCheckpoint(nextCheckpointId++);
    pc.savepoint = savepoint;
    pc.stop = stop;
    pending.put(pc.id, pc);
    pc.timeoutTimer = vertx.setTimer(checkpoints.timeoutMillis(), t -> abort(pc, "timed out"));
    // before the triggers: every split the enumerators list has reached its reader before its barrier
    pc.enumerators = enumerators == null ? null : enumerators.snapshot(pc.id);
    // sources start the barriers; tasks whose input has ended get no barrier and are asked directly
    for (JobVertex v : plan.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        if (v.isSource() || endedTasks.contains(v.id() + "/" + i)) {
          askForSnapshot(pc, v.id(), i);
        }
      }
    }
    return pc;
  }

  private void askForSnapshot(PendingCheckpoint pc, int vertex, int subtask) {
    vertx.eventBus().send(new TaskId(jobId, attempt, vertex, subtask).controlAddress(),
        new TaskCommand.TriggerCheckpoint(pc.id, pc.startedAt, pc.stop), TaskMessage.DELIVERY);
  }

  private void triggerFinal() {
    new ArrayList<>(pending.values()).forEach(pc -> abort(pc, "superseded by the final checkpoint"));
    PendingCheckpoint pc = new PendingCheckpoint(nextCheckpointId++);
    finalCheckpoint = pc.id;
    pending.put(pc.id, pc);
    pc.enumerators = enumerators == null ? null : enumerators.snapshot(pc.id);
    sendToAll(new TaskCommand.TriggerFinalCheckpoint(pc.id));
  }

  private void abort(PendingCheckpoint pc, String why) {
    if (pending.remove(pc.id) == null) {
      return;
    }
    vertx.cancelTimer(pc.timeoutTimer);
    pc.savepointDone.tryFail("checkpoint " + pc.id + " aborted: " + why);
    metrics.merge("checkpoints.aborted", 1L, Long::sum);
    history.failed(pc.id, kindOf(pc, pc.id == finalCheckpoint), pc.startedAt, "aborted: " + why);
    LOG.log(System.Logger.Level.INFO, "job {0}: checkpoint {1} aborted: {2}", job.config().name(), String.valueOf(pc.id), why);
    sendToAll(new TaskCommand.CheckpointAborted(pc.id));
    onChange.run(); // the registry shows the failure
  }

  private void onAck(TaskReport.CheckpointAck ack) {
    PendingCheckpoint pc = pending.get(ack.checkpointId());
    if (pc == null) {
      return; // aborted
    }
    if (!pc.acked.add(ack.vertex() + "/" + ack.subtask())) {
      return; // a task asked twice (a barrier and a direct request) acknowledges once
    }
    liveMetrics.put(ack.vertex() + "/" + ack.subtask(), ack.counters());
    vertexMetrics.onReport(ack.vertex(), ack.subtask(), ack.counters(), ack.gauges());
    pc.maxAlignmentNanos = Math.max(pc.maxAlignmentNanos, ack.gauges().getOrDefault("alignmentNanos", 0L));
    pc.tasks.add(new JsonObject().put("vertex", ack.vertex()).put("subtask", ack.subtask())
        .put("operators", ack.stateHandles()));
    if (pc.acked.size() < plan.subtaskCount()) {
      return;
    }
    pending.remove(pc.id);
    vertx.cancelTimer(pc.timeoutTimer);
    boolean isFinal = pc.id == finalCheckpoint;
    JsonObject meta = new JsonObject()
        .put("job", job.config().name())
        .put("jobClass", job.config().jobClass())
        .put("checkpointId", pc.id)
        .put("timestamp", pc.startedAt)
        .put("final", isFinal)
        .put("maxParallelism", job.config().maxParallelism())
        .put("tasks", pc.tasks)
        .put("sharedFiles", sharedFiles(pc.tasks));
    if (pc.enumerators != null) {
      meta.put(SplitEnumerators.METADATA_KEY, pc.enumerators);
    }
    int thisAttempt = attempt;
    // ordered: one checkpoint's metadata and retention after the other (the next checkpoint may
    // complete before this one is stored), and a restart's look-up of the latest after both
    vertx.executeBlocking(() -> {
      storage.writeMetadata(pc.id, meta);
      if (pc.savepoint != null) {
        storage.copyAsSavepoint(pc.id, pc.savepoint);
      }
      storage.retain(checkpoints.retain());
      return directorySize(storage.checkpointDirectory(pc.id));
    }, true).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "job {0}: checkpoint {1} could not be stored: {2}", job.config().name(), String.valueOf(pc.id), ar.cause().toString());
        metrics.merge("checkpoints.aborted", 1L, Long::sum);
        history.failed(pc.id, kindOf(pc, isFinal), pc.startedAt, "could not be stored: " + ar.cause());
        pc.savepointDone.tryFail(ar.cause());
        if (isFinal) {
          onFailure("final checkpoint could not be stored: " + ar.cause());
        }
        return;
      }
      long duration = System.currentTimeMillis() - pc.startedAt;
      history.completed(pc.id, kindOf(pc, isFinal), pc.startedAt, duration, ar.result(), pc.maxAlignmentNanos / 1_000_000,
          pc.savepoint != null ? pc.savepoint.toString() : null);
      pc.savepointDone.tryComplete(pc.savepoint != null ? pc.savepoint : storage.checkpointDirectory(pc.id));
      if (thisAttempt != attempt || result.future().isComplete()) {
        return;
      }
      durations.add(duration);
      lastCompletedAt = System.currentTimeMillis();
      metrics.merge("checkpoints.completed", 1L, Long::sum);
      metrics.put("checkpoints.lastDurationMillis", duration);
      metrics.put("checkpoints.lastSizeBytes", ar.result());
      metrics.merge("checkpoints.maxDurationMillis", duration, Math::max);
      sendToAll(new TaskCommand.CheckpointComplete(pc.id));
      if (enumerators != null) {
        enumerators.checkpointComplete(pc.id);
      }
      onChange.run(); // the registry shows the checkpoint statistics as they are
    });
  }

  /** Every path listed under a "shared" key in the acknowledgements (incremental files). */
  private static JsonArray sharedFiles(JsonArray tasks) {
    JsonArray out = new JsonArray();
    collectShared(tasks, out);
    return out;
  }

  private static void collectShared(Object node, JsonArray out) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        Object v = o.getValue(k);
        if ("shared".equals(k) && v instanceof JsonArray a) {
          a.forEach(out::add);
        } else {
          collectShared(v, out);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(x -> collectShared(x, out));
    }
  }

  private static long directorySize(Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(dir)) {
      return files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  // ---- failures and the end

  private void onFailure(String failure) {
    onFailure(failure, true);
  }

  private void onFailure(String failure, boolean jobFailure) {
    if (finishing || restartScheduledFor == attempt) {
      return; // the attempt is already being replaced
    }
    pending.values().forEach(pc -> history.failed(pc.id, kindOf(pc, pc.id == finalCheckpoint), pc.startedAt,
        "attempt " + attempt + " failed: " + failure));
    long delay = jobFailure ? restartStrategy.onFailure(System.currentTimeMillis()) : 0;
    if (delay < 0) {
      finish(JobStatus.FAILED, failure);
      return;
    }
    pauseMetric = "restart.lastMillis";
    LOG.log(System.Logger.Level.WARNING, "job {0}: attempt {1} failed ({2}); restarting in {3} ms", job.config().name(), String.valueOf(attempt), failure, String.valueOf(delay));
    setStatus(JobStatus.RESTARTING);
    restartScheduledFor = attempt;
    failedAtNanos = System.nanoTime();
    metrics.merge("restarts", 1L, Long::sum);
    stopAttempt().onComplete(v -> vertx.setTimer(Math.max(1, delay), t ->
        vertx.executeBlocking(this::restartPoint, true)
            .onComplete(ar -> {
              if (result.future().isComplete()) {
                return;
              }
              if (ar.failed()) {
                finish(JobStatus.FAILED, "cannot restart: " + messageOf(ar.cause()));
              } else {
                deploy(ar.result());
              }
            })));
  }

  /**
   * Where a restart resumes (worker thread): this run's latest completed checkpoint or, before
   * it has one, where the run started (an earlier run's checkpoints are not this run's).
   */
  private JsonObject restartPoint() throws Exception {
    if (storage == null) {
      return null;
    }
    Optional<Long> latest = storage.latest();
    if (latest.isPresent() && latest.get() >= firstCheckpointId) {
      return resolveRestore(storage.checkpointDirectory(latest.get()).toString());
    }
    return restoreFrom == null ? null : resolveRestore(restoreFrom);
  }

  /** Cancels every task of the current attempt, waits for them, then undeploys them. */
  private Future<Void> stopAttempt() {
    if (enumerators != null) {
      enumerators.close();
      enumerators = null;
    }
    if (checkpointTimer >= 0) {
      vertx.cancelTimer(checkpointTimer);
      checkpointTimer = -1;
    }
    pending.values().forEach(pc -> {
      history.failed(pc.id, kindOf(pc, pc.id == finalCheckpoint), pc.startedAt,
          "the job stopped before checkpoint " + pc.id + " completed");
      vertx.cancelTimer(pc.timeoutTimer);
      pc.savepointDone.tryFail("job stopped before checkpoint " + pc.id + " completed");
    });
    pending.clear();
    List<Future<?>> canceled = new ArrayList<>();
    DeliveryOptions wait = TaskMessage.request(CANCEL_WAIT_MILLIS);
    TaskCommand.Cancel cancel = new TaskCommand.Cancel();
    int stopping = attempt;
    if (plan != null && attempt >= 0 && slots != null) {
      for (JobVertex v : plan.vertices()) {
        for (int i = 0; i < v.parallelism(); i++) {
          TaskId task = new TaskId(jobId, attempt, v.id(), i);
          if (hosts.isAlive(slots.nodeOf(task))) { // a departed node's tasks died with it
            canceled.add(vertx.eventBus().<TaskReport.Canceled>request(task.controlAddress(), cancel, wait)
                .onSuccess(reply -> mergeMetrics(reply.body(), reply.body().counters())));
          }
        }
      }
    }
    MessageConsumer<TaskReport> oldReports = reports;
    return Future.join(canceled).transform(ignored -> {
      // tasks that did not answer (their node is gone) count with their last checkpoint's counters
      liveMetrics.values().forEach(m -> mergeInto(metrics, m));
      liveMetrics.clear();
      List<Future<?>> undeployed = new ArrayList<>();
      if (stopping >= 0) {
        undeployed.add(hosts.undeploy(jobId, stopping));
      }
      if (oldReports != null) {
        undeployed.add(oldReports.unregister());
      }
      return Future.join(undeployed).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  private void finish(JobStatus end, String failure) {
    if (finishing) {
      return; // the first end wins; its stop is under way
    }
    finishing = true;
    long runNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    status.set(end);
    error = failure;
    if (!durations.isEmpty()) {
      List<Long> sorted = new ArrayList<>(durations);
      sorted.sort(Long::compare);
      metrics.put("checkpoints.p50DurationMillis", sorted.get(sorted.size() / 2));
    }
    Future<Void> recorded = end == JobStatus.FINISHED && storage != null
        ? vertx.executeBlocking(() -> {
          storage.markFinished(storage.latest().orElse(0L));
          return null;
        }, false)
        : Future.succeededFuture();
    stopAttempt().compose(v -> recorded.<Void>mapEmpty().recover(e -> {
      LOG.log(System.Logger.Level.WARNING, "job {0}: cannot record that it finished in {1}: {2}",
          job.config().name(), storage.root(), messageOf(e));
      return Future.succeededFuture();
    })).onComplete(ar -> {
      hosts.release(jobId);
      result.tryComplete(new JobResult(jobId, job.config().name(), end, error, runNanos, Map.copyOf(metrics)));
      onChange.run();
    });
  }
}
