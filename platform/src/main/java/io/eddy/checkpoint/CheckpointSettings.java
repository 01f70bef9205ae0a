package io.eddy.checkpoint;

import io.eddy.config.ConfigException;
import io.eddy.config.ConfigSchema;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A job's checkpointing, from its {@code "checkpoints"} key:
 *
 * <pre>
 * "checkpoints": {
 *   "intervalMillis": 1000,          // required to enable checkpoints
 *   "mode": "exactly-once",          // or "at-least-once" (barriers are not aligned)
 *   "directory": "file:///tmp/ckpt", // or a plain path; the job's checkpoints go to directory/name
 *   "retain": 3,                     // completed checkpoints kept
 *   "timeoutMillis": 60000,          // a checkpoint not complete by then is aborted
 *   "maxConcurrent": 1,              // checkpoints in progress at once
 *   "minPauseMillis": 0              // between the end of one and the start of the next
 * }
 * </pre>
 */
public record CheckpointSettings(
    long intervalMillis, boolean exactlyOnce, Path directory, int retain, long timeoutMillis,
    int maxConcurrent, long minPauseMillis) {

  public static final ConfigSchema SCHEMA = ConfigSchema.object()
      .required("intervalMillis", ConfigSchema.integer().min(1))
      .optional("mode", ConfigSchema.oneOf("exactly-once", "at-least-once"))
      .required("directory", ConfigSchema.string().nonEmpty())
      .optional("retain", ConfigSchema.integer().min(1).max(1000))
      .optional("timeoutMillis", ConfigSchema.integer().min(1))
      .optional("maxConcurrent", ConfigSchema.integer().min(1).max(16))
      .optional("minPauseMillis", ConfigSchema.integer().min(0));

  /** The settings of a job, or null when it takes no checkpoints. */
  public static CheckpointSettings of(JsonObject jobRaw) {
    JsonObject c = jobRaw.getJsonObject("checkpoints");
    if (c == null) {
      return null;
    }
    String dir = c.getString("directory");
    Path path = Path.of(dir.startsWith("file://") ? dir.substring("file://".length()) : dir);
    return new CheckpointSettings(
        c.getLong("intervalMillis"),
        !"at-least-once".equals(c.getString("mode", "exactly-once")),
        path,
        c.getInteger("retain", 3),
        c.getLong("timeoutMillis", 60_000L),
        c.getInteger("maxConcurrent", 1),
        c.getLong("minPauseMillis", 0L));
  }

  /**
   * Checks that the checkpoint directory exists (or can be created) and is writable; throws a
   * {@link ConfigException} naming it otherwise. Blocking: call off the event loop.
   */
  public void checkDirectory(String source) {
    try {
      Files.createDirectories(directory);
    } catch (Exception e) {
      throw new ConfigException(source + ": key 'checkpoints.directory': cannot create '" + directory + "' (" + e + ")");
    }
    if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
      throw new ConfigException(source + ": key 'checkpoints.directory': '" + directory + "' is not a writable directory");
    }
  }
}
