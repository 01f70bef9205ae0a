package io.eddy.state;

import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Helpers for the state backend tests. */
final class StateTestSupport {
  private StateTestSupport() {}

  /** A snapshot target laid out as checkpoint storage does: root/chk-n/task and root/shared. */
  record Target(long checkpointId, Path directory, Path sharedDirectory) implements SnapshotTarget {
    static Target of(Path root, long id, String task) throws IOException {
      Path dir = root.resolve("chk-" + id).resolve(task);
      Files.createDirectories(dir);
      return new Target(id, dir, root.resolve("shared"));
    }
  }

  /** A clock the test moves. */
  static final class ManualClock implements TtlClock {
    private final AtomicLong now = new AtomicLong(1_000_000L);

    @Override
    public long currentTimeMillis() {
      return now.get();
    }

    void advance(long millis) {
      now.addAndGet(millis);
    }
  }

  enum Backend {
    HEAP,
    ROCKSDB;

    AbstractKeyedStateBackend create(Path workDir, String operator, int maxParallelism, int first, int last) {
      return create(workDir, operator, maxParallelism, first, last, SerdeRegistry.withBuiltIns());
    }

    /** A backend on a job's registry (what its plan lets it carry). */
    AbstractKeyedStateBackend create(Path workDir, String operator, int maxParallelism, int first, int last,
        SerdeRegistry serdes) {
      return switch (this) {
        case HEAP -> new HeapKeyedStateBackend(operator, maxParallelism, first, last, serdes);
        case ROCKSDB -> new RocksDbKeyedStateBackend(workDir, operator, maxParallelism, first, last, serdes,
            new RocksDbKeyedStateBackend.Config(8, 2));
      };
    }
  }

  /** Takes a snapshot: the synchronous part, then the asynchronous one (as the runtime does). */
  static JsonObject snapshot(KeyedStateBackend backend, Target target) throws Exception {
    return backend.snapshot(target).write();
  }

  static long fileCount(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
