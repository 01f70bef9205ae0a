package io.eddy.state;

import io.eddy.api.state.ListState;
import io.eddy.api.state.MapState;
import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Keyed state in an embedded RocksDB: one instance per backend in its own working directory, a
 * column family per state ({@code "s:" + name}). Confined to the task's event loop, as
 * {@link KeyedStateBackend} says; values are serialized on every write and deserialized on every
 * read, so a read returns a fresh copy.
 *
 * <p><b>Encoding.</b> A RocksDB key is the key group (2 bytes, big-endian, so that a key group is a
 * contiguous key range) followed by the serialized key, and for map state the serialized map key.
 * Serdes are self-delimiting, so a serialized key is never a prefix of another one and a key's map
 * entries are exactly the RocksDB keys starting with its prefix. Values: {@code [long stamp] value}
 * for value, reducing and aggregating state (the accumulator); {@code [long stamp] byte present
 * [value]} for a map entry; for list state, the elements {@code [long stamp] element} concatenated in
 * one RocksDB value, appended with RocksDB's merge (the string-append operator with an empty
 * delimiter), so {@code add} never reads. {@code stamp} (epoch millis of the last write or access)
 * is there only for states with a TTL. Writes skip the write-ahead log: checkpoints are the
 * durability.
 *
 * <p><b>Snapshot.</b> Synchronous: deletes entries the previous snapshot found expired, flushes the
 * memtables, and takes a RocksDB checkpoint (hard links) in the working directory. Asynchronous:
 * copies each SST file into {@link SnapshotTarget#sharedDirectory()} under a name unique to this
 * backend instance, unless an earlier snapshot (or the restore) already put it there (SST files are
 * immutable), and the other files (MANIFEST, CURRENT, OPTIONS, the empty log) into
 * {@link SnapshotTarget#directory()}; then, for states with a TTL, scans the checkpoint for expired
 * entries, to be deleted by the next snapshot. Handle: {@code {"backend":"rocksdb","keyGroups":[a,b],
 * "keySerde":...,"keyClass":...,"states":{...},"shared":[paths],"private":[paths],
 * "files":{localName:path}}}, paths relative to the checkpoint root.
 *
 * <p><b>Restore.</b> One handle covering exactly this key-group range: its files are linked (or
 * copied) into the working directory and opened, and its shared files count as already uploaded.
 * Otherwise (rescaling) each handle is materialized in a temporary directory, opened read-only, and
 * the entries of this range are copied into a fresh instance. Restored states are checked against
 * their descriptors when first asked for.
 */
public final class RocksDbKeyedStateBackend extends AbstractKeyedStateBackend {
  static {
    RocksDB.loadLibrary();
  }

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

  private static final String CF_PREFIX = "s:";
  private static final int MAX_TTL_CANDIDATES = 100_000;
  private static final long BATCH_BYTES = 4L << 20;

  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir;
  private final Path dbPath;
  private final LRUCache cache;
  private final BloomFilter bloom;
  private final ColumnFamilyOptions cfOptions;
  private final DBOptions dbOptions;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  private final FlushOptions flushOptions;

  private RocksDB db;
  private ColumnFamilyHandle defaultCf;
  private final Map<String, ColumnFamilyHandle> cfs = new LinkedHashMap<>();
  /** Restored states not asked for yet. */
  private final Map<String, JsonObject> restoredMeta = new LinkedHashMap<>();
  private final Map<String, RocksState> rocksStates = new LinkedHashMap<>();
  /** SST file name -> absolute path of its copy in a shared directory. */
  private final Map<String, Path> uploaded = new ConcurrentHashMap<>();
  private final Object uploadLock = new Object();
  private final ConcurrentLinkedQueue<Candidate> ttlCandidates = new ConcurrentLinkedQueue<>();
  private final AtomicInteger snapshotSeq = new AtomicInteger();
  private volatile boolean closed;

  private final DataWriter keyOut = new DataWriter(64);
  private final DataWriter valueOut = new DataWriter(256);
  private byte[] currentKeyBytes;

  private record Candidate(String state, byte[] key) {}

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
    Config c = config == null ? Config.DEFAULTS : config;
    this.dir = workDir.toAbsolutePath().resolve(
        "rocksdb-" + fileSafe(operatorName) + "-" + firstKeyGroup + "-" + lastKeyGroup + "-" + instanceId);
    this.dbPath = dir.resolve("db");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("operator '" + operatorName + "': cannot create RocksDB directory " + dir, e);
    }
    this.cache = new LRUCache((long) c.blockCacheMb() << 20);
    this.bloom = new BloomFilter(10);
    this.cfOptions = newColumnFamilyOptions(c.writeBufferMb(), cache, bloom);
    this.dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setMaxLogFileSize(1 << 20)
        .setStatsDumpPeriodSec(0);
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    this.readOptions = new ReadOptions();
    this.flushOptions = new FlushOptions().setWaitForFlush(true);
  }

  private static ColumnFamilyOptions newColumnFamilyOptions(int writeBufferMb, LRUCache cache, BloomFilter bloom) {
    BlockBasedTableConfig table = new BlockBasedTableConfig();
    if (cache != null) {
      table.setBlockCache(cache).setFilterPolicy(bloom);
    }
    return new ColumnFamilyOptions()
        .setWriteBufferSize((long) writeBufferMb << 20)
        .setMergeOperator(new StringAppendOperator(""))
        .setTableFormatConfig(table);
  }

  /** The working directory (deleted on close). */
  public Path workingDirectory() {
    return dir;
  }

  // ---------------------------------------------------------------- the instance

  private void ensureOpen() {
    if (db != null) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("operator '" + operatorName + "': the state backend is closed");
    }
    try {
      open(dbPath);
    } catch (RocksDBException | IOException e) {
      throw new IllegalStateException("operator '" + operatorName + "': cannot open RocksDB in " + dbPath, e);
    }
  }

  private void open(Path path) throws RocksDBException, IOException {
    Files.createDirectories(path);
    List<byte[]> names = new ArrayList<>();
    if (Files.exists(path.resolve("CURRENT"))) {
      try (org.rocksdb.Options o = new org.rocksdb.Options()) {
        names.addAll(RocksDB.listColumnFamilies(o, path.toString()));
      }
    }
    if (names.stream().noneMatch(n -> Arrays.equals(n, RocksDB.DEFAULT_COLUMN_FAMILY))) {
      names.add(0, RocksDB.DEFAULT_COLUMN_FAMILY);
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (byte[] n : names) {
      descriptors.add(new ColumnFamilyDescriptor(n, cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    db = RocksDB.open(dbOptions, path.toString(), descriptors, handles);
    for (int i = 0; i < names.size(); i++) {
      String n = new String(names.get(i), StandardCharsets.UTF_8);
      if (Arrays.equals(names.get(i), RocksDB.DEFAULT_COLUMN_FAMILY)) {
        defaultCf = handles.get(i);
      } else if (n.startsWith(CF_PREFIX)) {
        cfs.put(n.substring(CF_PREFIX.length()), handles.get(i));
      } else {
        handles.get(i).close();
      }
    }
  }

  private ColumnFamilyHandle columnFamily(String name) {
    ColumnFamilyHandle h = cfs.get(name);
    if (h == null) {
      try {
        h = db.createColumnFamily(new ColumnFamilyDescriptor(cfName(name), cfOptions));
      } catch (RocksDBException e) {
        throw failure("cannot create the column family of state '" + name + "'", e);
      }
      cfs.put(name, h);
    }
    return h;
  }

  private static byte[] cfName(String state) {
    return (CF_PREFIX + state).getBytes(StandardCharsets.UTF_8);
  }

  private RuntimeException failure(String what, RocksDBException e) {
    return new IllegalStateException("operator '" + operatorName + "': RocksDB: " + what + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cfs.values().forEach(ColumnFamilyHandle::close);
    cfs.clear();
    if (defaultCf != null) {
      defaultCf.close();
    }
    if (db != null) {
      db.close();
      db = null;
    }
    flushOptions.close();
    readOptions.close();
    writeOptions.close();
    dbOptions.close();
    cfOptions.close();
    bloom.close();
    cache.close();
    try {
      deleteTree(dir);
    } catch (IOException e) {
      // best effort: the directory is private to this instance
    }
  }

  // ---------------------------------------------------------------- keys and values

  @Override
  protected void onKeyChanged() {
    currentKeyBytes = null;
  }

  /** Key group (2 bytes) and serialized current key. */
  private byte[] keyBytes() {
    requireKey();
    if (currentKeyBytes == null) {
      keyOut.reset();
      keyOut.writeShort(currentKeyGroup);
      keySerde().write(currentKey, keyOut);
      currentKeyBytes = keyOut.toByteArray();
    }
    return currentKeyBytes;
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The smallest byte string greater than every string starting with {@code prefix}, or null. */
  private static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] s = Arrays.copyOf(prefix, i + 1);
        s[i]++;
        return s;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- states

  @Override
  protected Object createState(StateInfo info) {
    JsonObject meta = restoredMeta.get(info.name);
    if (meta != null) {
      checkCompatible(info, meta);
    }
    ensureOpen();
    RocksState s = switch (info.kind) {
      case VALUE, REDUCING, AGGREGATING -> new RocksValueCell(info);
      case LIST -> new RocksListState(info);
      case MAP -> new RocksMapState(info);
    };
    restoredMeta.remove(info.name);
    rocksStates.put(info.name, s);
    return s instanceof RocksValueCell cell ? SingleValueStates.of(info, cell) : s;
  }

  private abstract class RocksState {
    final StateInfo info;
    final ColumnFamilyHandle cf;

    RocksState(StateInfo info) {
      this.info = info;
      this.cf = columnFamily(info.name);
    }

    final byte[] get(byte[] key) {
      try {
        return db.get(cf, readOptions, key);
      } catch (RocksDBException e) {
        throw failure("get in state '" + info.name + "'", e);
      }
    }

    final void put(byte[] key, byte[] value) {
      try {
        db.put(cf, writeOptions, key, value);
      } catch (RocksDBException e) {
        throw failure("put in state '" + info.name + "'", e);
      }
    }

    final void delete(byte[] key) {
      try {
        db.delete(cf, writeOptions, key);
      } catch (RocksDBException e) {
        throw failure("delete in state '" + info.name + "'", e);
      }
    }

    final void write(WriteBatch batch) {
      try {
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        throw failure("write to state '" + info.name + "'", e);
      }
    }

    final long now() {
      return info.hasTtl() ? clock.currentTimeMillis() : 0L;
    }

    /** {@code [stamp] value} in {@link #valueOut}. */
    final void writeValue(DataWriter out, Object value, long stamp) {
      if (info.hasTtl()) {
        out.writeLong(stamp);
      }
      info.valueSerde.write(value, out);
    }

    final byte[] valueBytes(Object value) {
      valueOut.reset();
      writeValue(valueOut, value, now());
      return valueOut.toByteArray();
    }

    /** The current key's value for value-like states: TTL checked (and refreshed). */
    final Object readValue() {
      DataReader in = readStamped(keyBytes());
      return in == null ? null : info.valueSerde.read(in);
    }

    /**
     * The stored bytes under {@code key}, positioned past the TTL stamp, or null if absent or expired (an expired
     * entry is deleted; a read refreshes the stamp when the TTL says so).
     */
    final DataReader readStamped(byte[] key) {
      byte[] b = get(key);
      if (b == null) {
        return null;
      }
      DataReader in = new DataReader(b);
      if (info.hasTtl()) {
        long now = clock.currentTimeMillis();
        if (info.expired(in.readLong(), now)) {
          delete(key);
          return null;
        }
        if (info.refreshOnRead) {
          putLong(b, 0, now);
          put(key, b);
        }
      }
      return in;
    }

    final void storeValue(Object value) {
      put(keyBytes(), valueBytes(value));
    }

    final void clearKey() {
      delete(keyBytes());
    }

  }

  /** The stored value of value, reducing and aggregating state. */
  private final class RocksValueCell extends RocksState implements SingleValueStates.Cell {
    RocksValueCell(StateInfo info) {
      super(info);
    }

    @Override
    public Object read() {
      return readValue();
    }

    @Override
    public void write(Object value) {
      storeValue(value);
    }

    @Override
    public void remove() {
      clearKey();
    }
  }

  private final class RocksListState extends RocksState implements ListState<Object> {
    RocksListState(StateInfo info) {
      super(info);
    }

    @Override
    public Iterable<Object> get() {
      byte[] key = keyBytes();
      byte[] b = get(key);
      if (b == null) {
        return List.of();
      }
      DataReader in = new DataReader(b);
      List<Object> out = new ArrayList<>();
      if (!info.hasTtl()) {
        while (in.hasRemaining()) {
          out.add(info.valueSerde.read(in));
        }
        return out;
      }
      long now = clock.currentTimeMillis();
      boolean dropped = false;
      while (in.hasRemaining()) {
        long stamp = in.readLong();
        Object v = info.valueSerde.read(in);
        if (info.expired(stamp, now)) {
          dropped = true;
        } else {
          out.add(v);
        }
      }
      if (out.isEmpty()) {
        delete(key);
      } else if (info.refreshOnRead) {
        valueOut.reset();
        for (Object v : out) {
          writeValue(valueOut, v, now);
        }
        put(key, valueOut.toByteArray());
      } else if (dropped) {
        put(key, prune(info, b, now));
      }
      return out;
    }

    private byte[] encodeAll(List<Object> values) {
      for (Object v : values) {
        if (v == null) {
          throw new NullPointerException("state '" + info.name + "': a list state cannot hold null elements");
        }
      }
      long now = now();
      valueOut.reset();
      for (Object v : values) {
        writeValue(valueOut, v, now);
      }
      return valueOut.toByteArray();
    }

    @Override
    public void add(Object value) {
      if (value == null) {
        throw new NullPointerException("state '" + info.name + "': cannot add null to a list state");
      }
      merge(keyBytes(), valueBytes(value));
    }

    private void merge(byte[] key, byte[] value) {
      try {
        db.merge(cf, writeOptions, key, value);
      } catch (RocksDBException e) {
        throw failure("merge in state '" + info.name + "'", e);
      }
    }

    @Override
    public void addAll(List<Object> values) {
      if (values == null || values.isEmpty()) {
        return;
      }
      merge(keyBytes(), encodeAll(values));
    }

    @Override
    public void update(List<Object> values) {
      if (values == null || values.isEmpty()) {
        clearKey();
        return;
      }
      put(keyBytes(), encodeAll(values));
    }

    @Override
    public void clear() {
      clearKey();
    }
  }

  private final class RocksMapState extends RocksState implements MapState<Object, Object> {
    RocksMapState(StateInfo info) {
      super(info);
    }

    private byte[] entryKey(Object mapKey) {
      if (mapKey == null) {
        throw new NullPointerException("state '" + info.name + "': map state keys must not be null");
      }
      byte[] prefix = keyBytes();
      keyOut.reset();
      keyOut.writeBytes(prefix);
      info.mapKeySerde.write(mapKey, keyOut);
      return keyOut.toByteArray();
    }

    private byte[] entryValue(Object value, long stamp) {
      valueOut.reset();
      if (info.hasTtl()) {
        valueOut.writeLong(stamp);
      }
      if (value == null) {
        valueOut.writeByte(0);
      } else {
        valueOut.writeByte(1);
        info.valueSerde.write(value, valueOut);
      }
      return valueOut.toByteArray();
    }

    /** Reads an entry value; {@code in} is past the stamp. */
    private Object readEntryValue(DataReader in) {
      return in.readBoolean() ? info.valueSerde.read(in) : null;
    }

    /** The entry's value bytes (positioned past the stamp), or null if absent or expired. */
    private DataReader lookup(Object mapKey) {
      return readStamped(entryKey(mapKey));
    }

    @Override
    public Object get(Object key) {
      DataReader in = lookup(key);
      return in == null ? null : readEntryValue(in);
    }

    @Override
    public boolean contains(Object key) {
      return lookup(key) != null;
    }

    @Override
    public void put(Object key, Object value) {
      byte[] k = entryKey(key);
      put(k, entryValue(value, now()));
    }

    @Override
    public void putAll(Map<Object, Object> map) {
      if (map == null || map.isEmpty()) {
        return;
      }
      for (Object k : map.keySet()) {
        if (k == null) {
          throw new NullPointerException("state '" + info.name + "': map state keys must not be null");
        }
      }
      long now = now();
      try (WriteBatch batch = new WriteBatch()) {
        for (Map.Entry<Object, Object> e : map.entrySet()) {
          batch.put(cf, entryKey(e.getKey()), entryValue(e.getValue(), now));
        }
        write(batch);
      } catch (RocksDBException e) {
        throw failure("putAll in state '" + info.name + "'", e);
      }
    }

    @Override
    public void remove(Object key) {
      delete(entryKey(key));
    }

    /**
     * Visits the current key's live entries (raw RocksDB key, value reader past the stamp), deleting
     * expired ones and refreshing the others if configured and {@code refresh}; stops when {@code visitor} returns false.
     */
    private void scan(boolean refresh, EntryVisitor visitor) {
      byte[] prefix = keyBytes();
      byte[] upper = successor(prefix);
      long now = info.hasTtl() ? clock.currentTimeMillis() : 0L;
      try (ReadOptions ro = new ReadOptions();
          Slice bound = upper == null ? null : new Slice(upper);
          WriteBatch batch = new WriteBatch()) {
        if (bound != null) {
          ro.setIterateUpperBound(bound);
        }
        try (RocksIterator it = db.newIterator(cf, ro)) {
          for (it.seek(prefix); it.isValid(); it.next()) {
            byte[] k = it.key();
            if (!startsWith(k, prefix)) {
              break;
            }
            byte[] v = it.value();
            DataReader in = new DataReader(v);
            if (info.hasTtl()) {
              if (info.expired(in.readLong(), now)) {
                batch.delete(cf, k);
                continue;
              }
              if (refresh && info.refreshOnRead) {
                putLong(v, 0, now);
                batch.put(cf, k, v);
              }
            }
            if (!visitor.visit(k, prefix.length, in, batch)) {
              break;
            }
          }
        }
        if (batch.count() > 0) {
          write(batch);
        }
      } catch (RocksDBException e) {
        throw failure("iterating state '" + info.name + "'", e);
      }
    }

    private List<Map.Entry<Object, Object>> live() {
      List<Map.Entry<Object, Object>> out = new ArrayList<>();
      scan(true, (k, from, in, batch) -> {
        Object mapKey = info.mapKeySerde.read(new DataReader(k, from, k.length));
        out.add(new AbstractMap.SimpleImmutableEntry<>(mapKey, readEntryValue(in)));
        return true;
      });
      return out;
    }

    @Override
    public Iterable<Map.Entry<Object, Object>> entries() {
      return live();
    }

    @Override
    public Iterable<Object> keys() {
      List<Object> out = new ArrayList<>();
      scan(true, (k, from, in, batch) -> {
        out.add(info.mapKeySerde.read(new DataReader(k, from, k.length)));
        return true;
      });
      return out;
    }

    @Override
    public Iterable<Object> values() {
      List<Object> out = new ArrayList<>();
      scan(true, (k, from, in, batch) -> {
        out.add(readEntryValue(in));
        return true;
      });
      return out;
    }

    @Override
    public boolean isEmpty() {
      boolean[] found = {false};
      scan(false, (k, from, in, batch) -> {
        found[0] = true;
        return false;
      });
      return !found[0];
    }

    @Override
    public void clear() {
      scan(false, (k, from, in, batch) -> {
        batch.delete(cf, k);
        return true;
      });
    }
  }

  @FunctionalInterface
  private interface EntryVisitor {
    boolean visit(byte[] key, int mapKeyOffset, DataReader value, WriteBatch batch) throws RocksDBException;
  }

  /**
   * For TTL cleanup: the stored value {@code b} of a state with a TTL without its expired parts:
   * {@code b} itself when nothing expired, null when nothing is left. Thread-safe (serdes are).
   */
  private static byte[] prune(StateInfo info, byte[] b, long now) {
    if (info.kind != StateKind.LIST) {
      return info.expired(getLong(b, 0), now) ? null : b;
    }
    DataReader in = new DataReader(b);
    DataWriter out = new DataWriter(b.length);
    boolean dropped = false;
    while (in.hasRemaining()) {
      int start = in.position();
      long stamp = in.readLong();
      info.valueSerde.read(in);
      if (info.expired(stamp, now)) {
        dropped = true;
      } else {
        out.writeBytes(b, start, in.position() - start);
      }
    }
    if (!dropped) {
      return b;
    }
    return out.size() == 0 ? null : out.toByteArray();
  }

  // ---------------------------------------------------------------- snapshot

  @Override
  public AsyncSnapshot snapshot(SnapshotTarget target) throws Exception {
    ensureOpen();
    applyTtlCandidates();
    List<ColumnFamilyHandle> all = new ArrayList<>();
    all.add(defaultCf);
    all.addAll(cfs.values());
    db.flush(flushOptions, all);
    Path chk = dir.resolve("chk-" + target.checkpointId() + "-" + snapshotSeq.incrementAndGet());
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(chk.toString());
    }
    JsonObject handle = handleBase("rocksdb");
    JsonObject states = new JsonObject();
    infos.values().forEach(info -> states.put(info.name, metaOf(info)));
    restoredMeta.forEach((name, meta) -> states.put(name, meta.copy()));
    handle.put("states", states);
    List<StateInfo> ttlStates = infos.values().stream().filter(StateInfo::hasTtl).toList();
    String privateName = fileSafe(operatorName) + "-" + instanceId;
    return () -> {
      try {
        writeSnapshot(target, chk, handle, privateName);
        if (!ttlStates.isEmpty() && !closed) {
          findExpired(chk, ttlStates);
        }
        return handle;
      } finally {
        deleteTree(chk);
      }
    };
  }

  private void writeSnapshot(SnapshotTarget target, Path chk, JsonObject handle, String privateName)
      throws IOException {
    Path root = checkpointRoot(target);
    Path shared = target.sharedDirectory().toAbsolutePath().normalize();
    Path priv = target.directory().toAbsolutePath().resolve(privateName);
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
            copy = shared.resolve(fileSafe(operatorName) + "-" + instanceId + "-" + name);
            Path tmp = copy.resolveSibling(copy.getFileName() + ".tmp");
            Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            uploaded.put(name, copy);
          }
          String rel = relative(root, copy);
          sharedList.add(rel);
          files.put(name, rel);
        } else {
          Path copy = priv.resolve(name);
          Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
          String rel = relative(root, copy);
          privateList.add(rel);
          files.put(name, rel);
        }
      }
      uploaded.keySet().retainAll(present); // compacted-away files never come back
    }
    handle.put("shared", sharedList).put("private", privateList).put("files", files);
  }

  /** Opens a checkpoint read-only and queues the keys of expired TTL entries for deletion. */
  private void findExpired(Path chk, List<StateInfo> ttlStates) throws RocksDBException {
    long now = clock.currentTimeMillis();
    withReadOnly(chk, ttlStates.stream().map(i -> i.name).toList(), (ro, handles) -> {
      int found = 0;
      for (StateInfo info : ttlStates) {
        ColumnFamilyHandle h = handles.get(info.name);
        if (h == null) {
          continue;
        }
        try (RocksIterator it = ro.newIterator(h)) {
          for (it.seekToFirst(); it.isValid() && found < MAX_TTL_CANDIDATES; it.next()) {
            byte[] v = it.value();
            if (prune(info, v, now) != v) {
              ttlCandidates.add(new Candidate(info.name, it.key()));
              found++;
            }
          }
        }
      }
    });
  }

  /** Deletes (or trims) the entries a previous snapshot found expired, if they still are. */
  private void applyTtlCandidates() {
    if (ttlCandidates.isEmpty()) {
      return;
    }
    long now = clock.currentTimeMillis();
    try (WriteBatch batch = new WriteBatch()) {
      Candidate c;
      while ((c = ttlCandidates.poll()) != null) {
        RocksState s = rocksStates.get(c.state);
        if (s == null) {
          continue;
        }
        byte[] v = db.get(s.cf, readOptions, c.key);
        if (v == null) {
          continue;
        }
        byte[] pruned = prune(s.info, v, now);
        if (pruned == null) {
          batch.delete(s.cf, c.key);
        } else if (pruned != v) {
          batch.put(s.cf, c.key, pruned);
        }
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("cleaning up expired state", e);
    }
  }

  // ---------------------------------------------------------------- restore

  @Override
  public void restore(List<JsonObject> handles, Path checkpointRoot) throws Exception {
    if (db != null) {
      throw new IllegalStateException("operator '" + operatorName + "': restore must come before the state is used");
    }
    List<JsonObject> mine = relevant(handles, "rocksdb");
    if (mine.isEmpty()) {
      return;
    }
    restoreKeySerde(mine);
    Map<String, JsonObject> metas = restoredStates(mine);
    JsonObject only = mine.get(0);
    JsonArray range = only.getJsonArray("keyGroups");
    if (mine.size() == 1 && range.getInteger(0) == firstKeyGroup && range.getInteger(1) == lastKeyGroup) {
      materialize(only, checkpointRoot, dbPath);
      open(dbPath);
      Set<String> shared = new HashSet<>();
      only.getJsonArray("shared", new JsonArray()).forEach(p -> shared.add((String) p));
      JsonObject files = only.getJsonObject("files");
      for (String name : files.fieldNames()) {
        String rel = files.getString(name);
        if (shared.contains(rel)) {
          uploaded.put(name, checkpointRoot.resolve(rel).toAbsolutePath().normalize());
        }
      }
    } else {
      ensureOpen();
      int i = 0;
      for (JsonObject h : mine) {
        Path tmp = dir.resolve("restore-" + i++);
        try {
          materialize(h, checkpointRoot, tmp);
          copyKeyGroups(tmp, new ArrayList<>(h.getJsonObject("states", new JsonObject()).fieldNames()));
        } finally {
          deleteTree(tmp);
        }
      }
    }
    restoredMeta.putAll(metas);
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

  /** Copies the entries of this backend's key groups from the instance in {@code source}. */
  private void copyKeyGroups(Path source, List<String> states) throws RocksDBException {
    byte[] start = {(byte) (firstKeyGroup >>> 8), (byte) firstKeyGroup};
    withReadOnly(source, states, (ro, handles) -> {
      for (Map.Entry<String, ColumnFamilyHandle> e : handles.entrySet()) {
        ColumnFamilyHandle target = columnFamily(e.getKey());
        try (RocksIterator it = ro.newIterator(e.getValue()); WriteBatch batch = new WriteBatch()) {
          for (it.seek(start); it.isValid(); it.next()) {
            byte[] k = it.key();
            int kg = ((k[0] & 0xFF) << 8) | (k[1] & 0xFF);
            if (kg > lastKeyGroup) {
              break;
            }
            batch.put(target, k, it.value());
            if (batch.getDataSize() > BATCH_BYTES) {
              db.write(writeOptions, batch);
              batch.clear();
            }
          }
          db.write(writeOptions, batch);
        }
      }
    });
  }

  @FunctionalInterface
  private interface ReadOnlyWork {
    void run(RocksDB db, Map<String, ColumnFamilyHandle> handles) throws RocksDBException;
  }

  /**
   * Opens the instance in {@code path} read-only with the column families of {@code states} that it
   * has, with options of its own (so that it does not depend on this backend's native objects).
   */
  private static void withReadOnly(Path path, List<String> states, ReadOnlyWork work) throws RocksDBException {
    List<byte[]> existing;
    try (org.rocksdb.Options o = new org.rocksdb.Options()) {
      existing = RocksDB.listColumnFamilies(o, path.toString());
    }
    Set<String> present = new HashSet<>();
    existing.forEach(n -> present.add(new String(n, StandardCharsets.UTF_8)));
    List<String> names = states.stream().filter(s -> present.contains(CF_PREFIX + s)).toList();
    try (ColumnFamilyOptions cfo = newColumnFamilyOptions(4, null, null);
        DBOptions o = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(1)) {
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
      names.forEach(n -> descriptors.add(new ColumnFamilyDescriptor(cfName(n), cfo)));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB ro = RocksDB.openReadOnly(o, path.toString(), descriptors, handles)) {
        try {
          Map<String, ColumnFamilyHandle> byName = new LinkedHashMap<>();
          for (int i = 0; i < names.size(); i++) {
            byName.put(names.get(i), handles.get(i + 1));
          }
          work.run(ro, byName);
        } finally {
          handles.forEach(ColumnFamilyHandle::close);
        }
      }
    }
  }

  // ---------------------------------------------------------------- for tests

  /** Stored RocksDB entries of a state (a list counts once), expired or not. */
  long rawEntryCount(String stateName) {
    ColumnFamilyHandle h = cfs.get(stateName);
    if (h == null) {
      return 0;
    }
    long n = 0;
    try (RocksIterator it = db.newIterator(h)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  /** The key groups of every stored entry, in any state. */
  Set<Integer> storedKeyGroups() {
    Set<Integer> kgs = new HashSet<>();
    for (ColumnFamilyHandle h : cfs.values()) {
      try (RocksIterator it = db.newIterator(h)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] k = it.key();
          kgs.add(((k[0] & 0xFF) << 8) | (k[1] & 0xFF));
        }
      }
    }
    return kgs;
  }
}
