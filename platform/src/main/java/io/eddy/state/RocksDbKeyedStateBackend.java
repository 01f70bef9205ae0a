package io.eddy.state;

import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Keyed state and timers in an embedded RocksDB: one instance per backend in its own working
 * directory ({@link RocksDbInstance}), a column family per state ({@link RocksDbState} and its
 * kinds) and per timer store ({@link RocksDbTimerStore}), incremental snapshots and rescaling
 * restores by {@link RocksDbSnapshots}, expired TTL entries removed by {@link RocksDbTtlCleanup}.
 * This class ties them together: the current key's RocksDB key, the registry of states, and the
 * snapshot handle. Confined to the task's event loop, as {@link KeyedStateBackend} says.
 *
 * <p><b>Encoding.</b> A RocksDB key is the key group (2 bytes, big-endian, so that a key group is a
 * contiguous key range) followed by the serialized key (see {@link RocksDbKeys}); each state kind
 * adds what it needs after it. Keys must be serialized deterministically (equal keys, equal bytes).
 *
 * <p><b>Handle.</b> {@code {"backend":"rocksdb","keyGroups":[a,b],"keySerde":...,"keyClass":...,
 * "states":{...},"timers":[names],"shared":[paths],"private":[paths],"files":{localName:path}}},
 * paths relative to the checkpoint root. Restored states are checked against their descriptors
 * when first asked for.
 */
public final class RocksDbKeyedStateBackend extends AbstractKeyedStateBackend {
  /** Tuning: block cache and write buffer (memtable, per column family) sizes in MiB. */
  public record Config(int blockCacheMb, int writeBufferMb) {
    public static final Config DEFAULTS = new Config(64, 16);

    public Config {
      if (blockCacheMb < 1 || writeBufferMb < 1) {
        throw new IllegalArgumentException("rocksdb blockCacheMb and writeBufferMb must be at least 1, got "
            + blockCacheMb + " and " + writeBufferMb);
      }
    }
  }

  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir;
  private final RocksDbInstance db;
  private final RocksDbSnapshots snapshots;
  private final RocksDbTtlCleanup ttlCleanup = new RocksDbTtlCleanup(() -> clock);
  /** Restored states not asked for yet. */
  private final Map<String, JsonObject> restoredMeta = new LinkedHashMap<>();
  private final Map<String, RocksDbState> rocksStates = new LinkedHashMap<>();
  private final Map<String, RocksDbTimerStore> timerStores = new LinkedHashMap<>();

  private final DataWriter keyOut = new DataWriter(64);
  private final DataWriter valueOut = new DataWriter(256);
  private byte[] currentKeyBytes;

  /**
   * @param workDir a local directory; the backend works in a new subdirectory of it, deleted by
   *     {@link #close()}
   */
  public RocksDbKeyedStateBackend(Path workDir, String operatorName, int maxParallelism, int firstKeyGroup,
      int lastKeyGroup, SerdeRegistry serdes, Config config) {
    this(workDir, operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, config, null);
  }

  /**
   * @param keySerde the serde of the keys, or {@code null} to choose it from the first key's class
   *     (see {@link AbstractKeyedStateBackend})
   */
  public RocksDbKeyedStateBackend(Path workDir, String operatorName, int maxParallelism, int firstKeyGroup,
      int lastKeyGroup, SerdeRegistry serdes, Config config, Serde<?> keySerde) {
    super(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, keySerde);
    this.dir = workDir.toAbsolutePath().resolve(
        "rocksdb-" + fileSafe(operatorName) + "-" + firstKeyGroup + "-" + lastKeyGroup + "-" + instanceId);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("operator '" + operatorName + "': cannot create RocksDB directory " + dir, e);
    }
    this.db = new RocksDbInstance(dir.resolve("db"), operatorName, config == null ? Config.DEFAULTS : config);
    this.snapshots = new RocksDbSnapshots(db, dir, fileSafe(operatorName) + "-" + instanceId);
  }

  /** The working directory (deleted on close). */
  public Path workingDirectory() {
    return dir;
  }

  RocksDbInstance instance() {
    db.ensureOpen();
    return db;
  }

  TtlClock clock() {
    return clock;
  }

  /** Scratch writers for the states' keys and values (event loop only; copied out before reuse). */
  DataWriter keyOut() {
    return keyOut;
  }

  DataWriter valueOut() {
    return valueOut;
  }

  @Override
  public void close() {
    db.close();
    try {
      deleteTree(dir);
    } catch (IOException e) {
      // best effort: the directory is private to this instance
    }
  }

  // ---------------------------------------------------------------- keys

  @Override
  protected void onKeyChanged() {
    currentKeyBytes = null;
  }

  /** Key group (2 bytes) and serialized current key. */
  byte[] keyBytes() {
    requireKey();
    if (currentKeyBytes == null) {
      keyOut.reset();
      keyOut.writeShort(currentKeyGroup);
      keySerde().write(currentKey, keyOut);
      currentKeyBytes = keyOut.toByteArray();
    }
    return currentKeyBytes;
  }

  Serde<Object> keySerdeForTimers() {
    return keySerde();
  }

  // ---------------------------------------------------------------- states and timers

  @Override
  protected Object createState(StateInfo info) {
    JsonObject meta = restoredMeta.get(info.name);
    if (meta != null) {
      checkCompatible(info, meta);
    }
    RocksDbState s = switch (info.kind) {
      case VALUE, REDUCING, AGGREGATING -> new RocksDbState.ValueCell(this, info);
      case LIST -> new RocksDbListState(this, info);
      case MAP -> new RocksDbMapState(this, info);
    };
    restoredMeta.remove(info.name);
    rocksStates.put(info.name, s);
    return s instanceof RocksDbState.ValueCell cell ? SingleValueStates.of(info, cell) : s;
  }

  /**
   * A timer store in this backend's RocksDB ({@link RocksDbTimerStore}), carried by its snapshots;
   * the same store for the same name. The namespace serde must write equal namespaces as equal bytes.
   */
  @Override
  public TimerStore timerStore(String name, Serde<Object> namespaceSerde) {
    return timerStores.computeIfAbsent(name, n -> new RocksDbTimerStore(this, n, namespaceSerde));
  }

  // ---------------------------------------------------------------- snapshot and restore

  @Override
  public AsyncSnapshot snapshot(SnapshotTarget target) throws Exception {
    db.ensureOpen();
    ttlCleanup.applyCandidates(db, rocksStates);
    Path chk = snapshots.localCheckpoint(target.checkpointId());
    JsonObject handle = handleBase("rocksdb");
    JsonObject states = new JsonObject();
    infos.values().forEach(info -> states.put(info.name, metaOf(info)));
    restoredMeta.forEach((name, meta) -> states.put(name, meta.copy()));
    handle.put("states", states);
    handle.put("timers", new JsonArray(db.names(RocksDbInstance.TIMER_PREFIX)));
    List<StateInfo> ttlStates = infos.values().stream().filter(StateInfo::hasTtl).toList();
    return () -> {
      try {
        snapshots.upload(target, chk, handle);
        if (!ttlStates.isEmpty() && !db.isClosed()) {
          ttlCleanup.findExpired(chk, ttlStates);
        }
        return handle;
      } finally {
        deleteTree(chk);
      }
    };
  }

  @Override
  public void restore(List<JsonObject> handles, Path checkpointRoot) throws Exception {
    if (db.isOpen()) {
      throw new IllegalStateException("operator '" + operatorName + "': restore must come before the state is used");
    }
    List<JsonObject> mine = relevant(handles, "rocksdb");
    if (mine.isEmpty()) {
      return;
    }
    restoreKeySerde(mine);
    Map<String, JsonObject> metas = restoredStates(mine);
    JsonArray range = mine.get(0).getJsonArray("keyGroups");
    if (mine.size() == 1 && range.getInteger(0) == firstKeyGroup && range.getInteger(1) == lastKeyGroup) {
      snapshots.restoreWhole(mine.get(0), checkpointRoot);
    } else {
      snapshots.restoreRange(mine, checkpointRoot, firstKeyGroup, lastKeyGroup);
    }
    restoredMeta.putAll(metas);
  }

  // ---------------------------------------------------------------- for tests

  /** Stored RocksDB entries of a state (a list counts once), expired or not. */
  long rawEntryCount(String stateName) {
    return count(db.existing(RocksDbInstance.STATE_PREFIX + stateName));
  }

  /** Stored timers of a timer store. */
  long rawTimerCount(String name) {
    return count(db.existing(RocksDbInstance.TIMER_PREFIX + name));
  }

  private long count(ColumnFamilyHandle h) {
    if (h == null) {
      return 0;
    }
    long n = 0;
    try (RocksIterator it = db.iterator(h)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  /** The key groups of every stored entry, in any state or timer store. */
  Set<Integer> storedKeyGroups() {
    Set<Integer> kgs = new HashSet<>();
    for (String prefix : List.of(RocksDbInstance.STATE_PREFIX, RocksDbInstance.TIMER_PREFIX)) {
      for (String name : db.names(prefix)) {
        try (RocksIterator it = db.iterator(db.existing(prefix + name))) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            kgs.add(RocksDbKeys.keyGroup(it.key()));
          }
        }
      }
    }
    return kgs;
  }
}
