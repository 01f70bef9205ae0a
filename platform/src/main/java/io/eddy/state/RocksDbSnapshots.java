package io.eddy.state;

import io.eddy.checkpoint.SnapshotTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Incremental snapshots and restores of one {@link RocksDbInstance}.
 *
 * <p><b>Snapshot.</b> {@link #localCheckpoint} (event loop, at the barrier) flushes the memtables
 * and takes a RocksDB checkpoint (hard links) in the working directory. {@link #upload} (a worker
 * thread) copies each SST file into {@link SnapshotTarget#sharedDirectory()} under a name unique to
 * this backend instance, unless an earlier snapshot (or the restore) already put it there (SST files
 * are immutable), and the other files (MANIFEST, CURRENT, OPTIONS, the empty log) into
 * {@link SnapshotTarget#directory()}; it adds {@code "shared":[paths],"private":[paths],
 * "files":{localName:path}} to the handle, paths relative to the checkpoint root. The handle also
 * names the column families it holds: its {@code "states"} and its {@code "timers"}.
 *
 * <p><b>Restore</b> (a worker thread, before first use). One handle covering exactly this key-group
 * range: {@link #restoreWhole} links (or copies) its files into the instance's directory and opens
 * them, and its shared files count as already uploaded. Otherwise (rescaling) {@link #restoreRange}
 * materializes each handle in a temporary directory, opens it read-only and copies the entries of
 * this range (state and timers alike: every RocksDB key starts with its key group) into the instance.
 */
final class RocksDbSnapshots {
  private static final long BATCH_BYTES = 4L << 20;

  private final RocksDbInstance db;
  private final Path dir;
  private final String filePrefix;
  /** SST file name -> absolute path of its copy in a shared directory. */
  private final Map<String, Path> uploaded = new ConcurrentHashMap<>();
  private final Object uploadLock = new Object();
  private final AtomicInteger snapshotSeq = new AtomicInteger();

  /**
   * @param dir the backend's working directory (local checkpoints and restores go there)
   * @param filePrefix what names this instance's files in a checkpoint
   */
  RocksDbSnapshots(RocksDbInstance db, Path dir, String filePrefix) {
    this.db = db;
    this.dir = dir;
    this.filePrefix = filePrefix;
  }

  /** The synchronous part: a local RocksDB checkpoint of everything written so far. */
  Path localCheckpoint(long checkpointId) throws RocksDBException {
    Path chk = dir.resolve("chk-" + checkpointId + "-" + snapshotSeq.incrementAndGet());
    db.checkpoint(chk);
    return chk;
  }

  /** The asynchronous part: puts the files of {@code chk} under {@code target} and lists them in {@code handle}. */
  void upload(SnapshotTarget target, Path chk, JsonObject handle) throws IOException {
    Path root = AbstractKeyedStateBackend.checkpointRoot(target);
    Path shared = target.sharedDirectory().toAbsolutePath().normalize();
    Path priv = target.directory().toAbsolutePath().resolve(filePrefix);
    Files.createDirectories(shared);
    Files.createDirectories(priv);
    JsonArray sharedList = new JsonArray();
    JsonArray privateList = new JsonArray();
    JsonObject files = new JsonObject();
    List<Path> local;
    try (Stream<Path> s = Files.list(chk)) {
      local = s.sorted().toList();
    }
    synchronized (uploadLock) {
      Set<String> present = new HashSet<>();
      for (Path f : local) {
        String name = f.getFileName().toString();
        if (name.endsWith(".sst")) {
          present.add(name);
          Path copy = uploaded.get(name);
          if (copy == null || !copy.startsWith(shared) || !Files.exists(copy)) {
            copy = shared.resolve(filePrefix + "-" + name);
            Path tmp = copy.resolveSibling(copy.getFileName() + ".tmp");
            Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            uploaded.put(name, copy);
          }
          String rel = AbstractKeyedStateBackend.relative(root, copy);
          sharedList.add(rel);
          files.put(name, rel);
        } else {
          Path copy = priv.resolve(name);
          Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
          String rel = AbstractKeyedStateBackend.relative(root, copy);
          privateList.add(rel);
          files.put(name, rel);
        }
      }
      uploaded.keySet().retainAll(present); // compacted-away files never come back
    }
    handle.put("shared", sharedList).put("private", privateList).put("files", files);
  }

  /** Restores a handle of exactly this key-group range as the instance itself. */
  void restoreWhole(JsonObject handle, Path checkpointRoot) throws IOException {
    materialize(handle, checkpointRoot, db.path());
    db.ensureOpen();
    Set<String> shared = new HashSet<>();
    handle.getJsonArray("shared", new JsonArray()).forEach(p -> shared.add((String) p));
    JsonObject files = handle.getJsonObject("files");
    for (String name : files.fieldNames()) {
      String rel = files.getString(name);
      if (shared.contains(rel)) {
        uploaded.put(name, checkpointRoot.resolve(rel).toAbsolutePath().normalize());
      }
    }
  }

  /** Copies the entries of key groups {@code first..last} of every handle into the (new) instance. */
  void restoreRange(List<JsonObject> handles, Path checkpointRoot, int first, int last) throws Exception {
    db.ensureOpen();
    int i = 0;
    for (JsonObject h : handles) {
      Path tmp = dir.resolve("restore-" + i++);
      try {
        materialize(h, checkpointRoot, tmp);
        copyKeyGroups(tmp, columnFamilies(h), first, last);
      } finally {
        AbstractKeyedStateBackend.deleteTree(tmp);
      }
    }
  }

  /** The full names of the column families a handle holds. */
  private static List<String> columnFamilies(JsonObject handle) {
    List<String> names = new ArrayList<>();
    handle.getJsonObject("states", new JsonObject()).fieldNames()
        .forEach(n -> names.add(RocksDbInstance.STATE_PREFIX + n));
    handle.getJsonArray("timers", new JsonArray()).forEach(n -> names.add(RocksDbInstance.TIMER_PREFIX + n));
    return names;
  }

  /** Puts a handle's files into {@code dest}: SST files as hard links where possible, the rest copied. */
  private static void materialize(JsonObject handle, Path root, Path dest) throws IOException {
    Files.createDirectories(dest);
    JsonObject files = handle.getJsonObject("files");
    if (files == null) {
      throw new IOException("RocksDB state handle without files: " + handle.encode());
    }
    for (String name : files.fieldNames()) {
      Path src = root.resolve(files.getString(name));
      Path dst = dest.resolve(name);
      if (name.endsWith(".sst")) {
        try {
          Files.createLink(dst, src);
          continue;
        } catch (IOException | UnsupportedOperationException e) {
          // another file system: copy
        }
      }
      Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void copyKeyGroups(Path source, List<String> names, int first, int last) throws RocksDBException {
    byte[] start = RocksDbKeys.keyGroupPrefix(first);
    RocksDbInstance.withReadOnly(source, names, (ro, handles) -> {
      for (Map.Entry<String, ColumnFamilyHandle> e : handles.entrySet()) {
        ColumnFamilyHandle target = db.columnFamily(e.getKey());
        try (RocksIterator it = ro.newIterator(e.getValue()); WriteBatch batch = new WriteBatch()) {
          for (it.seek(start); it.isValid(); it.next()) {
            byte[] k = it.key();
            if (RocksDbKeys.keyGroup(k) > last) {
              break;
            }
            batch.put(target, k, it.value());
            if (batch.getDataSize() > BATCH_BYTES) {
              db.write(batch, "restored state");
              batch.clear();
            }
          }
          db.write(batch, "restored state");
        }
      }
    });
  }
}
