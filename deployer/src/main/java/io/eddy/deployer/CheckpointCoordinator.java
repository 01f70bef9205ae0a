package io.eddy.deployer;

import io.eddy.checkpoint.CheckpointSettings;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.JobConfig;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskReport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Coordinates the checkpoints of one job, attempt after attempt: triggers them at the configured interval (within
 * {@code maxConcurrent} and {@code minPauseMillis}), collects the subtasks' acknowledgements, writes the metadata of
 * a checkpoint every subtask acknowledged, applies retention, and tells every subtask it is complete (sinks commit);
 * aborts one that times out; takes savepoints, stopping checkpoints (for a rescale or a hand-over) and the final
 * checkpoint; and keeps the recent history ({@link CheckpointHistory}).
 *
 * <p>Flow: {@link TaskCommand.TriggerCheckpoint} goes to every source subtask (and directly to every subtask whose
 * input has ended, which no barrier reaches); each subtask answers with a {@link TaskReport.CheckpointAck}; when all
 * have, the metadata is stored (worker thread, ordered) and {@link TaskCommand.CheckpointComplete} goes to every
 * subtask. An aborted checkpoint sends {@link TaskCommand.CheckpointAborted}. Once every subtask reported
 * {@link TaskReport.Ended}, {@link TaskCommand.TriggerFinalCheckpoint} goes to all of them; its completion lets them
 * commit and finish.
 *
 * <p>Threads: every method runs on the context of the owning {@link JobCoordinator} (an event loop), except
 * {@link #highestStoredId}, which blocks and runs on a worker. It never blocks the event loop (storage work goes to
 * ordered {@code executeBlocking} calls), never deploys, cancels or restarts tasks, and never changes the job's state:
 * it sends only checkpoint commands, and tells the job coordinator what it learns through {@link Job}. The one
 * exception: once every subtask has acknowledged a stopping checkpoint, it records the split enumerators' state
 * again and closes them, so that no split handed out after that checkpoint's trigger is lost (the attempt ends
 * with it either way: a rescale or hand-over stops it, a failure to store it restarts it).
 *
 * <p>Attempts: the job coordinator calls {@link #attemptDeployed} when it deploys an attempt (acknowledgements and
 * ends it passes on belong to that attempt), {@link #attemptRunning} once its tasks run (periodic checkpoints start),
 * {@link #attemptFailed} and {@link #stopAttempt} when it replaces or stops it, and {@link #close} once the job has
 * ended. Checkpoint ids grow over attempts and runs, so a late acknowledgement never completes a newer checkpoint.
 */
final class CheckpointCoordinator {
  /** What the checkpoint coordinator tells its job's coordinator, on the same context. */
  interface Job {
    /** @return whether the job runs now (periodic checkpoints are taken only then) */
    boolean running();

    /** A subtask acknowledged a checkpoint: its counters and gauges as of the snapshot (fresh job figures). */
    void acknowledged(TaskReport.CheckpointAck ack);

    /** The final checkpoint could not be stored: the attempt cannot finish. */
    void finalCheckpointFailed(String why);

    /** A checkpoint completed or was aborted: the history and the checkpoint counters changed. */
    void changed();
  }

  private static final System.Logger LOG = System.getLogger(CheckpointCoordinator.class.getName());

  private final Vertx vertx;
  private final JobConfig config;
  private final CheckpointSettings settings;
  private final CheckpointStorage storage;
  private final JobCounters counters;
  private final Job job;
  private final CheckpointHistory history = new CheckpointHistory();
  private final Map<Long, PendingCheckpoint> pending = new TreeMap<>();
  private final List<Long> durations = new ArrayList<>();
  private final Set<String> endedTasks = new HashSet<>(); // "vertex/subtask" of the current attempt
  private Attempt attempt; // the current one, or null before the first
  private SplitEnumerators enumerators; // of the current attempt while it runs, or null
  private long nextCheckpointId = 1;
  private long lastCompletedAt;
  private long finalCheckpoint = -1; // of the current attempt
  private long timer = -1;
  private int storing; // checkpoints every subtask acknowledged whose metadata is being written
  private boolean closed;

  /** One checkpoint in progress: the acknowledgements so far. */
  private static final class PendingCheckpoint {
    final long id;
    final long startedAt = System.currentTimeMillis();
    final JsonArray tasks = new JsonArray();
    final Set<String> acked = new HashSet<>();
    final Promise<Path> stored = Promise.promise(); // the savepoint's or else the checkpoint's directory
    long timeoutTimer = -1;
    Path savepoint; // where to copy it once complete, or null
    boolean stop; // sources read nothing after the barrier: the job stops once this completes
    long maxAlignmentNanos; // the longest alignment a subtask reported for it
    JsonObject enumerators; // the split enumerators' state at the trigger, or null

    PendingCheckpoint(long id) {
      this.id = id;
    }
  }

  /**
   * @param config the job's configuration (its name, class and max parallelism go into the metadata)
   * @param counters where the checkpoint counters go ({@code checkpoints.completed}, {@code .aborted}, ...)
   */
  CheckpointCoordinator(Vertx vertx, JobConfig config, CheckpointSettings settings, CheckpointStorage storage,
      JobCounters counters, Job job) {
    this.vertx = vertx;
    this.config = config;
    this.settings = settings;
    this.storage = storage;
    this.counters = counters;
    this.job = job;
  }

  /**
   * Checks the checkpoint directory and returns the highest checkpoint id stored there (0 for none). Blocks: call it
   * on a worker thread; it touches no state of this object.
   */
  long highestStoredId() throws Exception {
    settings.checkDirectory(config.source());
    return storage.highestId();
  }

  /** The next checkpoint is numbered {@code id}: above every one an earlier run left, so that none is overwritten. */
  void numberFrom(long id) {
    nextCheckpointId = id;
  }

  /** The next attempt restores {@code metadata}: later checkpoints are numbered above it. */
  void restoring(JsonObject metadata) {
    if (metadata != null) {
      nextCheckpointId = Math.max(nextCheckpointId, metadata.getLong("checkpointId") + 1);
    }
  }

  /** Seeds the history with what a former coordinator of the job published (see {@link CheckpointHistory#carry}). */
  void carryHistory(JsonObject described) {
    history.carry(described);
  }

  /** @return the recent checkpoints (see {@link CheckpointHistory#describe}) */
  JsonObject history() {
    return history.describe();
  }

  /** @return whether the attempt's input has begun to end (a subtask ended, or the final checkpoint was triggered) */
  boolean ending() {
    return !endedTasks.isEmpty() || finalCheckpoint >= 0;
  }

  // ---- attempts

  /** {@code next} was deployed: what arrives from now on is about it. */
  void attemptDeployed(Attempt next) {
    attempt = next;
    endedTasks.clear();
    finalCheckpoint = -1;
  }

  /** The attempt's tasks run: periodic checkpoints start; {@code splits} are its enumerators, or null. */
  void attemptRunning(SplitEnumerators splits) {
    enumerators = splits;
    timer = vertx.setPeriodic(settings.intervalMillis(), t -> maybeTrigger());
  }

  /** The attempt failed: checkpoints in progress are recorded as failed for that reason. */
  void attemptFailed(String why) {
    pending.values().forEach(pc -> history.failed(pc.id, kindOf(pc), pc.startedAt,
        "attempt " + attempt.number() + " failed: " + why));
  }

  /** The attempt is being stopped: no checkpoint is triggered any more, and those in progress fail. */
  void stopAttempt() {
    enumerators = null;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    pending.values().forEach(pc -> {
      history.failed(pc.id, kindOf(pc), pc.startedAt, "the job stopped before checkpoint " + pc.id + " completed");
      vertx.cancelTimer(pc.timeoutTimer);
      pc.stored.tryFail("job stopped before checkpoint " + pc.id + " completed");
    });
    pending.clear();
  }

  /** The job is about to end: the median checkpoint duration joins the counters. */
  void jobEnding() {
    if (!durations.isEmpty()) {
      List<Long> sorted = new ArrayList<>(durations);
      sorted.sort(Long::compare);
      counters.put("checkpoints.p50DurationMillis", sorted.get(sorted.size() / 2));
    }
  }

  /** Records in storage that the run finished, so that {@code latest} never resumes it. */
  Future<Void> recordFinished() {
    return vertx.executeBlocking(() -> {
      storage.markFinished(storage.latest().orElse(0L));
      return null;
    }, false);
  }

  /** The job has ended: a checkpoint stored from now on notifies nobody. */
  void close() {
    closed = true;
  }

  // ---- triggering

  private void maybeTrigger() {
    if (!job.running() || finalCheckpoint >= 0) {
      return; // after the final checkpoint nothing follows
    }
    // one being stored is still in progress: it counts, and the pause starts once it is stored
    if (pending.size() + storing >= settings.maxConcurrent()
        || settings.minPauseMillis() > 0 && storing > 0
        || System.currentTimeMillis() - lastCompletedAt < settings.minPauseMillis()) {
      return;
    }
    trigger(null, false);
  }

  /**
   * Triggers a checkpoint of the running attempt now, whatever the pacing.
   *
   * @param savepoint where to copy it once complete, or null
   * @param stop whether sources read nothing after its barrier (the job stops once it completes)
   * @return completes with the savepoint's directory (or else the checkpoint's) once it is stored; fails if it is
   *     aborted, cannot be stored or the attempt stops first
   */
  Future<Path> trigger(Path savepoint, boolean stop) {
    PendingCheckpoint pc = new PendingCheckpoint(nextCheckpointId++);
    pc.savepoint = savepoint;
    pc.stop = stop;
    pending.put(pc.id, pc);
    pc.timeoutTimer = vertx.setTimer(settings.timeoutMillis(), t -> abort(pc, "timed out"));
    // before the triggers: every split the enumerators list has reached its reader before its barrier
    pc.enumerators = enumerators == null ? null : enumerators.snapshot(pc.id);
    // sources start the barriers; tasks whose input has ended get no barrier and are asked directly
    for (JobVertex v : attempt.plan().vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        if (v.isSource() || endedTasks.contains(v.id() + "/" + i)) {
          askForSnapshot(pc, v.id(), i);
        }
      }
    }
    return pc.stored.future();
  }

  private void askForSnapshot(PendingCheckpoint pc, int vertex, int subtask) {
    attempt.send(vertx, attempt.task(vertex, subtask), new TaskCommand.TriggerCheckpoint(pc.id, pc.startedAt, pc.stop));
  }

  /**
   * A subtask of the current attempt reported the end of its input. Once every subtask has, the final checkpoint is
   * triggered; before that, checkpoints in progress ask it directly, since no barrier reaches it now.
   */
  void taskEnded(int vertex, int subtask) {
    String key = vertex + "/" + subtask;
    if (!endedTasks.add(key)) {
      return; // counted once, whatever a task repeats
    }
    if (endedTasks.size() == attempt.plan().subtaskCount()) {
      triggerFinal();
      return;
    }
    for (PendingCheckpoint pc : pending.values()) {
      if (!pc.acked.contains(key)) {
        askForSnapshot(pc, vertex, subtask);
      }
    }
  }

  private void triggerFinal() {
    abortAll("superseded by the final checkpoint");
    PendingCheckpoint pc = new PendingCheckpoint(nextCheckpointId++);
    finalCheckpoint = pc.id;
    pending.put(pc.id, pc);
    pc.enumerators = enumerators == null ? null : enumerators.snapshot(pc.id);
    attempt.sendToAll(vertx, new TaskCommand.TriggerFinalCheckpoint(pc.id));
  }

  /** Aborts every checkpoint in progress (a node with tasks of the attempt left, say). */
  void abortAll(String why) {
    new ArrayList<>(pending.values()).forEach(pc -> abort(pc, why));
  }

  private void abort(PendingCheckpoint pc, String why) {
    if (pending.remove(pc.id) == null) {
      return;
    }
    vertx.cancelTimer(pc.timeoutTimer);
    pc.stored.tryFail("checkpoint " + pc.id + " aborted: " + why);
    counters.add("checkpoints.aborted", 1);
    history.failed(pc.id, kindOf(pc), pc.startedAt, "aborted: " + why);
    LOG.log(System.Logger.Level.INFO, "job {0}: checkpoint {1} aborted: {2}", config.name(), String.valueOf(pc.id), why);
    attempt.sendToAll(vertx, new TaskCommand.CheckpointAborted(pc.id));
    job.changed(); // the registry shows the failure
  }

  private String kindOf(PendingCheckpoint pc) {
    return pc.id == finalCheckpoint ? "final" : pc.savepoint != null ? "savepoint" : pc.stop ? "stopping" : "checkpoint";
  }

  // ---- completion

  /** A subtask of the current attempt acknowledged a checkpoint; one of an aborted checkpoint is ignored. */
  void acknowledged(TaskReport.CheckpointAck ack) {
    PendingCheckpoint pc = pending.get(ack.checkpointId());
    if (pc == null) {
      return; // aborted
    }
    if (!pc.acked.add(ack.vertex() + "/" + ack.subtask())) {
      return; // a task asked twice (a barrier and a direct request) acknowledges once
    }
    job.acknowledged(ack);
    pc.maxAlignmentNanos = Math.max(pc.maxAlignmentNanos, ack.gauges().getOrDefault("alignmentNanos", 0L));
    pc.tasks.add(new JsonObject().put("vertex", ack.vertex()).put("subtask", ack.subtask())
        .put("operators", ack.stateHandles()));
    if (pc.acked.size() == attempt.plan().subtaskCount()) {
      pending.remove(pc.id);
      vertx.cancelTimer(pc.timeoutTimer);
      if (pc.stop && enumerators != null) {
        // the attempt ends with a stopping checkpoint, and its sources read nothing after the barrier: splits handed
        // out since the trigger reached their readers after it, unread; recorded now (and no more handed out), they
        // are handed out again by the next attempt from their start, instead of being forgotten
        pc.enumerators = enumerators.snapshot(pc.id);
        enumerators.close();
      }
      store(pc);
    }
  }

  private void store(PendingCheckpoint pc) {
    String kind = kindOf(pc);
    boolean isFinal = pc.id == finalCheckpoint;
    JsonObject meta = CheckpointMetadata.of(config, pc.id, pc.startedAt, isFinal, pc.tasks, pc.enumerators);
    Attempt of = attempt;
    storing++;
    // ordered: one checkpoint's metadata and retention after the other (the next checkpoint may
    // complete before this one is stored), and a restart's look-up of the latest after both
    vertx.executeBlocking(() -> {
      storage.writeMetadata(pc.id, meta);
      if (pc.savepoint != null) {
        storage.copyAsSavepoint(pc.id, pc.savepoint);
      }
      storage.retain(settings.retain());
      return CheckpointMetadata.directorySize(storage.checkpointDirectory(pc.id));
    }, true).onComplete(ar -> {
      storing--;
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "job {0}: checkpoint {1} could not be stored: {2}", config.name(),
            String.valueOf(pc.id), ar.cause().toString());
        counters.add("checkpoints.aborted", 1);
        history.failed(pc.id, kind, pc.startedAt, "could not be stored: " + ar.cause());
        pc.stored.tryFail(ar.cause());
        if (isFinal) {
          job.finalCheckpointFailed("final checkpoint could not be stored: " + ar.cause());
        }
        return;
      }
      long duration = System.currentTimeMillis() - pc.startedAt;
      history.completed(pc.id, kind, pc.startedAt, duration, ar.result(), pc.maxAlignmentNanos / 1_000_000,
          pc.savepoint != null ? pc.savepoint.toString() : null);
      pc.stored.tryComplete(pc.savepoint != null ? pc.savepoint : storage.checkpointDirectory(pc.id));
      if (of != attempt || closed) {
        return;
      }
      durations.add(duration);
      lastCompletedAt = System.currentTimeMillis();
      counters.add("checkpoints.completed", 1);
      counters.put("checkpoints.lastDurationMillis", duration);
      counters.put("checkpoints.lastSizeBytes", ar.result());
      counters.max("checkpoints.maxDurationMillis", duration);
      attempt.sendToAll(vertx, new TaskCommand.CheckpointComplete(pc.id));
      if (enumerators != null) {
        enumerators.checkpointComplete(pc.id);
      }
      job.changed(); // the registry shows the checkpoint statistics as they are
    });
  }
}
