package io.eddy.deployer;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where an attempt of a job restores its state from: the checkpoint or savepoint a run asked for, or, on a restart,
 * the run's latest completed checkpoint. Every method reads storage, so it blocks: call it on a worker thread
 * ({@code executeBlocking}). Holds no state of its own, so any thread may call it.
 */
final class RestorePoints {
  private static final System.Logger LOG = System.getLogger(RestorePoints.class.getName());

  private final JobConfig config;
  private final CheckpointStorage storage; // null: the job takes no checkpoints

  RestorePoints(JobConfig config, CheckpointStorage storage) {
    this.config = config;
    this.storage = storage;
  }

  /**
   * The metadata to restore from, with {@code root} set to the directory its state paths are relative to.
   *
   * @param from {@code "latest"} for the job's latest completed checkpoint of a run that did not finish (null when
   *     there is none: start afresh), or the path of a checkpoint or savepoint directory
   * @throws ConfigException if {@code from} is {@code latest} and the job takes no checkpoints, or the checkpoint
   *     belongs to another job
   */
  io.vertx.core.json.JsonObject resolve(String from) throws Exception {
    Path dir;
    if ("latest".equals(from)) {
      if (storage == null) {
        throw new ConfigException(config.source() + ": --from-checkpoint latest needs the job's 'checkpoints' settings");
      }
      Optional<Long> latest = storage.latestToResume();
      if (latest.isEmpty()) {
        Optional<Long> finished = storage.finishedAt();
        if (finished.isPresent() && storage.latest().isPresent()) {
          LOG.log(System.Logger.Level.WARNING, "job {0}: the run that took checkpoint {1} in {2} finished, so there is "
              + "nothing to resume: starting afresh (pass the checkpoint's directory to restore it anyway)",
              config.name(), String.valueOf(storage.latest().get()), storage.root());
        } else {
          LOG.log(System.Logger.Level.INFO, "job {0}: no completed checkpoint in {1}, starting afresh",
              config.name(), storage.root());
        }
        return null;
      }
      dir = storage.checkpointDirectory(latest.get());
    } else {
      dir = Path.of(from);
    }
    io.vertx.core.json.JsonObject meta = CheckpointStorage.readMetadata(dir);
    if (!config.name().equals(meta.getString("job"))) {
      throw new ConfigException("checkpoint '" + dir + "' belongs to job '" + meta.getString("job")
          + "', not '" + config.name() + "'");
    }
    // a savepoint holds its files itself; a checkpoint's paths are relative to the job's directory
    Path metaDir = Files.isDirectory(dir) ? dir : dir.getParent();
    meta.put("root", (meta.getBoolean("savepoint", false) ? metaDir : metaDir.toAbsolutePath().getParent()).toString());
    LOG.log(System.Logger.Level.INFO, "job {0}: restoring checkpoint {1} from {2}", config.name(),
        String.valueOf(meta.getLong("checkpointId")), dir);
    return meta;
  }

  /**
   * Where a restart resumes: this run's latest completed checkpoint (one numbered {@code firstCheckpointId} or
   * later) or, before it has one, where the run started ({@code restoreFrom}, null for afresh); an earlier run's
   * checkpoints are not this run's.
   */
  io.vertx.core.json.JsonObject restartPoint(long firstCheckpointId, String restoreFrom) throws Exception {
    if (storage == null) {
      return null;
    }
    Optional<Long> latest = storage.latest();
    if (latest.isPresent() && latest.get() >= firstCheckpointId) {
      return resolve(storage.checkpointDirectory(latest.get()).toString());
    }
    return restoreFrom == null ? null : resolve(restoreFrom);
  }
}
