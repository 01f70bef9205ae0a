package io.eddy.config;

import io.vertx.core.json.JsonObject;

/**
 * Where a job keeps its keyed state, read from its file's {@code "stateBackend"} and {@code "rocksdb"}
 * keys; the one place their defaults live:
 * <pre>{@code
 *   "stateBackend": "heap" | "rocksdb",                                   (default "heap")
 *   "rocksdb": {"blockCacheMb": 64, "writeBufferMb": 16, "windowCacheEntries": 100000}
 * }</pre>
 *
 * @param backend            the keyed state backend of every stateful operator
 * @param blockCacheMb       RocksDB's block cache per backend instance, MiB, at least 1
 * @param writeBufferMb      RocksDB's write buffer per column family, MiB, at least 1
 * @param windowCacheEntries how many window accumulators the aligned window operator keeps on the heap
 *                           over RocksDB between checkpoints; 0 turns the cache off
 */
public record StateSettings(Backend backend, int blockCacheMb, int writeBufferMb, long windowCacheEntries) {
  /** The keyed state backends. */
  public enum Backend {
    HEAP, ROCKSDB
  }

  /** Heap, and RocksDB's 64 MiB block cache, 16 MiB write buffers and 100,000 cached window accumulators. */
  public static final StateSettings DEFAULTS = new StateSettings(Backend.HEAP, 64, 16, 100_000);

  /** The schema of the {@code "rocksdb"} object. */
  static final ConfigSchema ROCKSDB_SCHEMA = ConfigSchema.object()
      .optional("blockCacheMb", ConfigSchema.integer().min(1).max(1 << 20))
      .optional("writeBufferMb", ConfigSchema.integer().min(1).max(1 << 20))
      .optional("windowCacheEntries", ConfigSchema.integer().min(0));

  /** Checks the ranges of the class comment with {@link IllegalArgumentException}. */
  public StateSettings {
    if (backend == null) {
      throw new IllegalArgumentException("backend must be given");
    }
    if (blockCacheMb < 1 || writeBufferMb < 1) {
      throw new IllegalArgumentException("rocksdb blockCacheMb and writeBufferMb must be at least 1, got "
          + blockCacheMb + " and " + writeBufferMb);
    }
    if (windowCacheEntries < 0) {
      throw new IllegalArgumentException("rocksdb windowCacheEntries must be at least 0, got " + windowCacheEntries);
    }
  }

  /** The settings of a job file's JSON that passed {@link JobConfig#SCHEMA}; defaults for what it lacks. */
  static StateSettings of(JsonObject jobRaw) {
    Backend backend = "rocksdb".equals(jobRaw.getString("stateBackend")) ? Backend.ROCKSDB : Backend.HEAP;
    JsonObject r = jobRaw.getJsonObject("rocksdb", new JsonObject());
    return new StateSettings(backend,
        r.getInteger("blockCacheMb", DEFAULTS.blockCacheMb),
        r.getInteger("writeBufferMb", DEFAULTS.writeBufferMb),
        r.getLong("windowCacheEntries", DEFAULTS.windowCacheEntries));
  }
}
