package io.eddy.checkpoint;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A job's checkpoints in a directory: {@code <root>/chk-<id>/} per checkpoint, with a directory
 * per task and the {@code _metadata} file that makes the checkpoint complete; {@code <root>/shared/}
 * for files several checkpoints reference. The metadata is written to a temporary file and renamed,
 * so a checkpoint directory without {@code _metadata} is incomplete and is never restored from.
 * All methods block: call them on worker threads.
 */
public final class CheckpointStorage {
  public static final String METADATA = "_metadata";
  /**
   * The folder under a checkpoint directory that a cluster keeps its jobs' checkpoints in
   * ({@code <directory>/_cluster/<job name>}), so that a local {@code run} of a job of the same
   * name never resumes, overwrites or prunes them. No job name starts with {@code _}.
   */
  public static final String CLUSTER_JOBS = "_cluster";
  /** Written when a run of the job finishes: the id of the last checkpoint it completed. */
  static final String FINISHED = "_finished";
  private final Path root;

  public CheckpointStorage(Path root) {
    this.root = root;
  }

  /** {@code directory} (a path or {@code file://} URL) with the cluster's jobs folder appended, once. */
  public static String clusterJobsDirectory(String directory) {
    String d = directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory;
    return d.endsWith("/" + CLUSTER_JOBS) || d.equals(CLUSTER_JOBS) ? d : d + "/" + CLUSTER_JOBS;
  }

  public Path root() {
    return root;
  }

  public Path checkpointDirectory(long id) {
    return root.resolve("chk-" + id);
  }

  public Path sharedDirectory() {
    return root.resolve("shared");
  }

  /** A task's directory in checkpoint {@code id}, created. */
  public Path taskDirectory(long id, int vertex, int subtask) throws IOException {
    Path d = checkpointDirectory(id).resolve(vertex + "-" + subtask);
    Files.createDirectories(d);
    Files.createDirectories(sharedDirectory());
    return d;
  }

  /** Writes the metadata atomically: from then on the checkpoint counts as complete. */
  public void writeMetadata(long id, JsonObject metadata) throws IOException {
    Path dir = checkpointDirectory(id);
    Files.createDirectories(dir);
    Path tmp = dir.resolve(METADATA + ".tmp");
    Files.writeString(tmp, metadata.encodePrettily(), StandardCharsets.UTF_8);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, dir.resolve(METADATA), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(METADATA), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The ids of complete checkpoints, ascending. */
  public List<Long> completed() throws IOException {
    List<Long> ids = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return ids;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.forEach(d -> {
        String n = d.getFileName().toString();
        if (n.startsWith("chk-") && Files.isRegularFile(d.resolve(METADATA))) {
          try {
            ids.add(Long.parseLong(n.substring(4)));
          } catch (NumberFormatException ignored) {
            // not ours
          }
        }
      });
    }
    ids.sort(Comparator.naturalOrder());
    return ids;
  }

  /** The highest id of any checkpoint directory, complete or not; 0 when there is none. */
  public long highestId() throws IOException {
    long highest = 0;
    if (!Files.isDirectory(root)) {
      return highest;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String n = d.getFileName().toString();
        if (n.startsWith("chk-")) {
          try {
            highest = Math.max(highest, Long.parseLong(n.substring(4)));
          } catch (NumberFormatException ignored) {
            // not ours
          }
        }
      }
    }
    return highest;
  }

  /**
   * Records that a run of the job finished after completing checkpoint {@code lastCheckpoint} (0 for
   * none): its checkpoints stay for inspection and explicit restores, but {@link #latestToResume}
   * no longer offers them.
   */
  public void markFinished(long lastCheckpoint) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve(FINISHED + ".tmp");
    Files.writeString(tmp, Long.toString(lastCheckpoint), StandardCharsets.UTF_8);
    try {
      Files.move(tmp, root.resolve(FINISHED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, root.resolve(FINISHED), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The last checkpoint of the latest run that finished, if one did. */
  public Optional<Long> finishedAt() throws IOException {
    Path f = root.resolve(FINISHED);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim()));
    } catch (NumberFormatException e) {
      throw new IOException("'" + f + "' does not hold a checkpoint id", e);
    }
  }

  /**
   * The latest complete checkpoint a new run may resume from: none when the run that took it
   * finished (as Flink, which discards a finished job's checkpoints, would have none).
   */
  public Optional<Long> latestToResume() throws IOException {
    Optional<Long> latest = latest();
    Optional<Long> finished = finishedAt();
    if (latest.isPresent() && finished.isPresent() && latest.get() <= finished.get()) {
      return Optional.empty();
    }
    return latest;
  }

  public Optional<Long> latest() throws IOException {
    List<Long> ids = completed();
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1));
  }

  /** Reads a checkpoint's metadata from its directory (or from the metadata file itself). */
  public static JsonObject readMetadata(Path checkpoint) throws IOException {
    Path f = Files.isDirectory(checkpoint) ? checkpoint.resolve(METADATA) : checkpoint;
    if (!Files.isRegularFile(f)) {
      throw new IOException("'" + checkpoint + "' is not a complete checkpoint (no " + METADATA + ")");
    }
    return new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
  }

  /**
   * Keeps the newest {@code retain} complete checkpoints: deletes older ones, incomplete ones older
   * than the newest complete one, and the shared files that only deleted checkpoints referenced.
   * Shared files no complete checkpoint references are left alone: a checkpoint in progress may
   * have just uploaded them.
   */
  public void retain(int retain) throws IOException {
    List<Long> ids = completed();
    if (ids.isEmpty()) {
      return;
    }
    long newest = ids.get(ids.size() - 1);
    Set<Long> keep = new HashSet<>(ids.subList(Math.max(0, ids.size() - retain), ids.size()));
    Set<String> referencedByKept = new HashSet<>();
    for (long id : keep) {
      readMetadata(checkpointDirectory(id)).getJsonArray("sharedFiles", new JsonArray())
          .forEach(x -> referencedByKept.add((String) x));
    }
    Set<String> referencedByDeleted = new HashSet<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String n = d.getFileName().toString();
        if (!n.startsWith("chk-")) {
          continue;
        }
        long id;
        try {
          id = Long.parseLong(n.substring(4));
        } catch (NumberFormatException e) {
          continue;
        }
        if (!keep.contains(id) && id < newest) {
          if (Files.isRegularFile(d.resolve(METADATA))) {
            readMetadata(d).getJsonArray("sharedFiles", new JsonArray())
                .forEach(x -> referencedByDeleted.add((String) x));
          }
          deleteTree(d);
        }
      }
    }
    referencedByDeleted.removeAll(referencedByKept);
    for (String rel : referencedByDeleted) {
      Files.deleteIfExists(root.resolve(rel));
    }
  }

  /**
   * Copies complete checkpoint {@code id} with every shared file it references into {@code target},
   * keeping relative paths, and writes its metadata there marked {@code "savepoint": true}: a
   * self-contained copy that retention never touches.
   */
  public void copyAsSavepoint(long id, Path target) throws IOException {
    JsonObject meta = readMetadata(checkpointDirectory(id));
    Files.createDirectories(target);
    Path chk = checkpointDirectory(id);
    try (Stream<Path> files = Files.walk(chk)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(METADATA)) {
          Path to = target.resolve(root.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    for (Object s : meta.getJsonArray("sharedFiles", new JsonArray())) {
      Path to = target.resolve((String) s);
      Files.createDirectories(to.getParent());
      Files.copy(root.resolve((String) s), to, StandardCopyOption.REPLACE_EXISTING);
    }
    meta.put("savepoint", true);
    Path tmp = target.resolve(METADATA + ".tmp");
    Files.writeString(tmp, meta.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(tmp, target.resolve(METADATA), StandardCopyOption.ATOMIC_MOVE);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path x : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(x);
      }
    }
  }
}
