package io.eddy.deployer;

import io.eddy.checkpoint.CheckpointSettings;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.RestartStrategy;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskVerticle;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskReport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one job on this node: plans it, deploys one {@link TaskVerticle} per subtask, starts them
 * all once every one has started (so no frame or credit goes to an address nobody listens on yet),
 * restarts it from its latest completed checkpoint when a task fails (as its restart strategy
 * allows) or a node with its tasks leaves, rescales it, hands it over to another leader, and stops
 * it when it has finished, failed or been cancelled.
 *
 * <p>It decides; others do: {@link AttemptDeployer} places, deploys and stops each attempt; the
 * {@link CheckpointCoordinator} takes the job's checkpoints, learns of each attempt from this class
 * and tells it back through {@link CheckpointCoordinator.Job}; {@link RestorePoints} finds where an
 * attempt restores from; the job's counters are kept in {@link JobCounters}, its per-vertex figures
 * in {@link VertexMetrics}.
 *
 * <p>Each restart is a new attempt with its own task addresses. All methods run on the Vert.x
 * context that called {@link #run} (an event loop); blocking storage work goes to workers.
 */
public final class JobCoordinator {
  private static final System.Logger LOG = System.getLogger(JobCoordinator.class.getName());

  private final Vertx vertx;
  private JobDefinition job; // at the parallelism of the current attempt
  private final String jobId;
  private final TaskHosts hosts;
  private final String restoreFrom; // null, "latest" or a checkpoint path
  private final JobCounters counters = new JobCounters();
  private final VertexMetrics vertexMetrics = new VertexMetrics(); // per vertex, from the acknowledgements
  private final Promise<JobResult> result = Promise.promise();
  private final AtomicReference<JobStatus> status = new AtomicReference<>(JobStatus.CREATED);
  private final CheckpointCoordinator checkpoints; // null: the job takes no checkpoints
  private final RestorePoints restorePoints;
  private final RestartStrategy restartStrategy;
  private final AttemptDeployer deployer;
  private int desired; // the parallelism asked for
  private int minimumAtStart; // the first attempt waits for this many slots
  private Runnable onChange = () -> { };
  private boolean resumed; // carries on an attempt a former leader ran
  private boolean suspended; // stopped for a successor to carry on
  private ExecutionPlan plan;
  private int attempt = -1;
  private int remaining;
  private long firstCheckpointId = 1; // of this run: lower ids are an earlier run's
  private long startNanos;
  private long failedAtNanos; // when the attempt being replaced stopped working
  private String pauseMetric = "restart.lastMillis"; // where the time until the next attempt runs goes
  private String error;
  private boolean finishing;
  private int restartScheduledFor = -1;
  private SplitEnumerators enumerators; // of the current attempt, once it runs

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
    CheckpointSettings settings = CheckpointSettings.of(job.config().raw());
    CheckpointStorage storage = settings == null ? null
        : new CheckpointStorage(settings.directory().resolve(job.config().name()));
    this.checkpoints = settings == null ? null
        : new CheckpointCoordinator(vertx, job.config(), settings, storage, counters, new CheckpointEvents());
    this.restorePoints = new RestorePoints(job.config(), storage);
    this.restartStrategy = RestartStrategy.of(job.config().raw());
    this.deployer = new AttemptDeployer(vertx, this.jobId, hosts, counters);
  }

  /** What the checkpoint coordinator tells this one. */
  private final class CheckpointEvents implements CheckpointCoordinator.Job {
    @Override
    public boolean running() {
      return status.get() == JobStatus.RUNNING;
    }

    @Override
    public void acknowledged(TaskReport.CheckpointAck ack) {
      counters.live(ack.vertex(), ack.subtask(), ack.counters());
      vertexMetrics.onReport(ack.vertex(), ack.subtask(), ack.counters(), ack.gauges());
    }

    @Override
    public void finalCheckpointFailed(String why) {
      onFailure(why);
    }

    @Override
    public void changed() {
      onChange.run();
    }
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
    counters.put("failover.noticedAtEpochMillis", System.currentTimeMillis()); // a new leader took over
    return this;
  }

  /** @param listener runs on the coordinator's context whenever the state, attempt or placement changes */
  public JobCoordinator onChange(Runnable listener) {
    this.onChange = listener;
    return this;
  }

  /** @return the slots of the current attempt, or null before the first is placed */
  public SlotAssignment slots() {
    return deployer.slots();
  }

  /** @return why the job waits (for slots), or null */
  public String reason() {
    return deployer.reason();
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
    counters.carry(published);
    return this;
  }

  /**
   * Starts from the details a former coordinator of this job published, {@code {vertices, checkpoints}} (call before
   * {@link #run}): the checkpoint history goes on from there, and the vertices' figures stand until tasks report.
   */
  public JobCoordinator carryDetails(JsonObject published) {
    if (published != null) {
      if (checkpoints != null && published.getValue("checkpoints") instanceof JsonObject history) {
        checkpoints.carryHistory(history);
      }
      if (published.getValue("vertices") instanceof JsonArray vertices) {
        vertexMetrics.carry(vertices);
      }
    }
    return this;
  }

  /** @return the metrics so far: those of ended tasks plus the running tasks' counters at their last checkpoint */
  public Map<String, Long> metrics() {
    return counters.snapshot();
  }

  /** @return the plan's vertices with their rates, back-pressure and watermarks (see {@link VertexMetrics#describe}) */
  public JsonArray vertexMetrics() {
    return vertexMetrics.describe(plan);
  }

  /** @return the recent checkpoints and the last failure (see {@link CheckpointHistory#describe}) */
  public JsonObject checkpointHistory() {
    return checkpoints != null ? checkpoints.history() : new CheckpointHistory().describe();
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
    long first = firstCheckpointId;
    vertx.executeBlocking(() -> {
      long highest = checkpoints == null ? 0 : checkpoints.highestStoredId();
      JsonObject restore = resumed ? restorePoints.restartPoint(first, restoreFrom)
          : restoreFrom == null ? null : restorePoints.resolve(restoreFrom);
      return new JsonObject().put("highest", highest).put("restore", restore);
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        result.tryFail(ar.cause());
        return;
      }
      if (checkpoints != null) {
        // above every checkpoint an earlier run left, so that none is overwritten or outranks ours
        long next = ar.result().getLong("highest") + 1;
        checkpoints.numberFrom(next);
        if (!resumed) {
          firstCheckpointId = next;
        }
      }
      JsonObject restore = ar.result().getJsonObject("restore");
      if (resumed) {
        // the former leader's tasks may still run on live nodes: stop them before the next attempt
        hosts.undeploy(jobId, attempt).onComplete(v -> deploy(restore));
      } else {
        deploy(restore);
      }
    });
    return result.future();
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
    deployer.place(wanted, minimum, () -> result.future().isComplete() || finishing, why -> {
      LOG.log(System.Logger.Level.INFO, "job {0} waits: {1}", job.config().name(), why);
      onChange.run();
    }, assigned -> {
      try {
        if (assigned.parallelism() != job.config().parallelism() || plan == null) {
          job = new JobDefinition(job.config().withParallelism(assigned.parallelism()), job.job());
          plan = job.instantiate().plan();
        }
      } catch (RuntimeException e) {
        finish(JobStatus.FAILED, messageOf(e));
        return;
      }
      deployAttempt(restore);
    });
  }

  private void deployAttempt(JsonObject restore) {
    attempt++;
    Attempt current = new Attempt(jobId, attempt, plan);
    remaining = plan.subtaskCount();
    if (checkpoints != null) {
      checkpoints.restoring(restore);
      checkpoints.attemptDeployed(current);
    }
    vertexMetrics.newAttempt();
    int thisAttempt = attempt;
    onChange.run();
    deployer.deploy(job, current, restore, r -> onReport(thisAttempt, r))
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
            counters.put(pauseMetric, (System.nanoTime() - failedAtNanos) / 1_000_000);
            failedAtNanos = 0;
          }
          setStatus(JobStatus.RUNNING); // after the metrics: listeners publish them
          current.sendToAll(vertx, new TaskCommand.Run());
          enumerators = SplitEnumerators.start(vertx, plan, jobId, thisAttempt, restore, e -> {
            if (thisAttempt == attempt) {
              onFailure(messageOf(e));
            }
          });
          if (checkpoints != null) {
            checkpoints.attemptRunning(enumerators);
          }
        });
  }

  /**
   * Cancels a running job; its result completes with {@link JobStatus#CANCELED} once every task has stopped.
   *
   * @return the job's result (that of its first end, if it was ending already)
   */
  public Future<JobResult> cancel() {
    finish(JobStatus.CANCELED, null);
    return result.future();
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
      counters.ended(f.vertex(), f.subtask(), f.counters());
      if (--remaining == 0) {
        finish(JobStatus.FINISHED, null);
      }
    } else if (report instanceof TaskReport.Failed f) {
      counters.ended(f.vertex(), f.subtask(), f.counters());
      onFailure(f.error());
    } else if (report instanceof TaskReport.Ended e && checkpoints != null) {
      checkpoints.taskEnded(e.vertex(), e.subtask());
    } else if (report instanceof TaskReport.CheckpointAck a && checkpoints != null) {
      checkpoints.acknowledged(a);
    }
  }

  // ---- checkpoints on request

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
    if (checkpoints.ending()) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' is ending (some input has ended): no savepoint"));
    }
    return checkpoints.trigger(target, false);
  }

  /** Takes a savepoint, then cancels the job; completes once it is canceled. */
  public Future<Path> stopWithSavepoint(Path target) {
    return savepoint(target).compose(p -> cancel().map(p));
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
    boolean ending = checkpoints.ending();
    if (status.get() != JobStatus.RUNNING || ending || restartScheduledFor == attempt) {
      return Future.failedFuture(new IllegalStateException(
          "job '" + job.config().name() + "' is " + (ending ? "ending" : status.get()) + ": it cannot rescale now"));
    }
    int from = attempt;
    restartScheduledFor = attempt; // failures of this attempt no longer restart it: the rescale replaces it
    long sourcesStop = System.nanoTime(); // the pause starts when the sources stop at the barrier
    return checkpoints.trigger(null, true).compose(dir -> {
      if (finishing || attempt != from) {
        return Future.<Void>succeededFuture();
      }
      desired = parallelism;
      // of the pause, the stopping checkpoint's share; the rest is stopping, placing and restoring the attempt
      counters.put("rescale.lastStopCheckpointMillis", (System.nanoTime() - sourcesStop) / 1_000_000);
      setStatus(JobStatus.RESTARTING);
      failedAtNanos = sourcesStop;
      pauseMetric = "rescale.lastPauseMillis";
      counters.add("rescales", 1);
      LOG.log(System.Logger.Level.INFO, "job {0}: rescaling to {1} from checkpoint {2}", job.config().name(),
          String.valueOf(parallelism), dir.getFileName());
      return stopAttempt()
          .compose(v -> vertx.executeBlocking(() -> restorePoints.resolve(dir.toString()), true))
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
    boolean canCheckpoint = checkpoints != null && status.get() == JobStatus.RUNNING && !checkpoints.ending()
        && restartScheduledFor != attempt;
    Future<?> checkpoint = canCheckpoint ? checkpoints.trigger(null, true) : Future.succeededFuture();
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

  // ---- failures and the end

  /**
   * A node left the cluster: when it ran tasks of the current attempt, the attempt is gone; the job is redeployed on
   * the surviving slots from its latest completed checkpoint, at once and without counting against the restart
   * strategy (which is for failures of the job itself).
   */
  public void nodeLeft(String node) {
    if (slots() != null && slots().nodes().contains(node) && !finishing) {
      // wall-clock time, so that whoever killed the node can tell how long noticing it took
      counters.put("failover.noticedAtEpochMillis", System.currentTimeMillis());
      // a checkpoint in progress cannot complete without the node's tasks; aborting a rescale's stopping
      // checkpoint hands the restart to the rescale, which would otherwise wait for the checkpoint's timeout
      if (checkpoints != null) {
        checkpoints.abortAll("node " + node + " left the cluster");
      }
      onFailure("node " + node + " left the cluster", false);
    }
  }

  private void onFailure(String failure) {
    onFailure(failure, true);
  }

  private void onFailure(String failure, boolean jobFailure) {
    if (finishing || restartScheduledFor == attempt) {
      return; // the attempt is already being replaced
    }
    if (checkpoints != null) {
      checkpoints.attemptFailed(failure);
    }
    long delay = jobFailure ? restartStrategy.onFailure(System.currentTimeMillis()) : 0;
    if (delay < 0) {
      finish(JobStatus.FAILED, failure);
      return;
    }
    pauseMetric = "restart.lastMillis";
    LOG.log(System.Logger.Level.WARNING, "job {0}: attempt {1} failed ({2}); restarting in {3} ms",
        job.config().name(), String.valueOf(attempt), failure, String.valueOf(delay));
    setStatus(JobStatus.RESTARTING);
    restartScheduledFor = attempt;
    failedAtNanos = System.nanoTime();
    counters.add("restarts", 1);
    long first = firstCheckpointId;
    stopAttempt().onComplete(v -> vertx.setTimer(Math.max(1, delay), t ->
        vertx.executeBlocking(() -> restorePoints.restartPoint(first, restoreFrom), true)
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

  /** Cancels every task of the current attempt, waits for them, then undeploys them. */
  private Future<Void> stopAttempt() {
    if (enumerators != null) {
      enumerators.close();
      enumerators = null;
    }
    if (checkpoints != null) {
      checkpoints.stopAttempt();
    }
    return deployer.stop(attempt);
  }

  private void finish(JobStatus end, String failure) {
    if (finishing) {
      return; // the first end wins; its stop is under way
    }
    finishing = true;
    long runNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    status.set(end);
    error = failure;
    if (checkpoints != null) {
      checkpoints.jobEnding();
    }
    Future<Void> recorded = end == JobStatus.FINISHED && checkpoints != null
        ? checkpoints.recordFinished() : Future.succeededFuture();
    stopAttempt().compose(v -> recorded.<Void>mapEmpty().recover(e -> {
      LOG.log(System.Logger.Level.WARNING, "job {0}: cannot record that it finished: {1}",
          job.config().name(), messageOf(e));
      return Future.succeededFuture();
    })).onComplete(ar -> {
      hosts.release(jobId);
      if (checkpoints != null) {
        checkpoints.close();
      }
      result.tryComplete(new JobResult(jobId, job.config().name(), end, error, runNanos, counters.totals()));
      onChange.run();
    });
  }
}
