package io.eddy.state;

import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Creates the keyed state backend a job's configuration asks for:
 * <pre>
 *   "stateBackend": "heap" | "rocksdb"               (default "heap")
 *   "rocksdb": {"blockCacheMb": 64, "writeBufferMb": 16}   (optional, for "rocksdb")
 * </pre>
 */
public final class StateBackends {
  private StateBackends() {}

  /**
   * @param jobConfigRaw the job's JSON configuration (may be null: defaults)
   * @param workDir a local directory the RocksDB backend works in (a subdirectory per backend)
   * @throws IllegalArgumentException for an unknown backend name or a bad "rocksdb" setting
   */
  public static KeyedStateBackend create(JsonObject jobConfigRaw, String operatorName, int maxParallelism,
      int firstKeyGroup, int lastKeyGroup, SerdeRegistry serdes, Path workDir) {
    return create(jobConfigRaw, operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, workDir, null);
  }

  /** As {@link #create(JsonObject, String, int, int, int, SerdeRegistry, Path)}, with the key serde (or null). */
  public static KeyedStateBackend create(JsonObject jobConfigRaw, String operatorName, int maxParallelism,
      int firstKeyGroup, int lastKeyGroup, SerdeRegistry serdes, Path workDir, Serde<?> keySerde) {
    JsonObject conf = jobConfigRaw == null ? new JsonObject() : jobConfigRaw;
    Object kind = conf.getValue("stateBackend", "heap");
    if (!(kind instanceof String)) {
      throw new IllegalArgumentException("\"stateBackend\" must be \"heap\" or \"rocksdb\", got " + kind);
    }
    switch ((String) kind) {
      case "heap":
        return new HeapKeyedStateBackend(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, keySerde);
      case "rocksdb":
        if (workDir == null) {
          throw new IllegalArgumentException("the rocksdb state backend needs a working directory");
        }
        return new RocksDbKeyedStateBackend(workDir, operatorName, maxParallelism, firstKeyGroup, lastKeyGroup,
            serdes, rocksDbConfig(conf), keySerde);
      default:
        throw new IllegalArgumentException("\"stateBackend\" must be \"heap\" or \"rocksdb\", got \"" + kind + "\"");
    }
  }

  /** The "rocksdb" settings of a job configuration, defaults for what is missing. */
  public static RocksDbKeyedStateBackend.Config rocksDbConfig(JsonObject jobConfigRaw) {
    Object raw = jobConfigRaw == null ? null : jobConfigRaw.getValue("rocksdb");
    if (raw == null) {
      return RocksDbKeyedStateBackend.Config.DEFAULTS;
    }
    if (!(raw instanceof JsonObject r)) {
      throw new IllegalArgumentException("\"rocksdb\" must be an object, got " + raw);
    }
    for (String k : r.fieldNames()) {
      // windowCacheEntries belongs to the window operators' write-back cache
      if (!k.equals("blockCacheMb") && !k.equals("writeBufferMb") && !k.equals("windowCacheEntries")) {
        throw new IllegalArgumentException(
            "unknown key \"rocksdb." + k + "\" (known: blockCacheMb, writeBufferMb, windowCacheEntries)");
      }
    }
    RocksDbKeyedStateBackend.Config d = RocksDbKeyedStateBackend.Config.DEFAULTS;
    return new RocksDbKeyedStateBackend.Config(
        intSetting(r, "blockCacheMb", d.blockCacheMb()), intSetting(r, "writeBufferMb", d.writeBufferMb()));
  }

  private static int intSetting(JsonObject r, String key, int dflt) {
    Object v = r.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1
        || ((Number) v).longValue() > 1 << 20) {
      throw new IllegalArgumentException("\"rocksdb." + key + "\" must be a positive whole number of MiB, got " + v);
    }
    return ((Number) v).intValue();
  }
}
