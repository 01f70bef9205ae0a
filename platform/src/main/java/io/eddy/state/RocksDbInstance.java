package io.eddy.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded RocksDB instance of one {@link RocksDbKeyedStateBackend}: its native options, its
 * column families by name ({@code "s:" + state} for keyed state, {@code "t:" + timers} for timer
 * stores), reads and writes that turn RocksDB errors into one message naming the operator, and the
 * local checkpoint (hard links) a snapshot starts from. Writes skip the write-ahead log:
 * checkpoints are the durability.
 *
 * <p>Opened on first use or by a restore (a worker thread, before first use); otherwise confined
 * to the task's event loop. {@link #withReadOnly} is static and thread-safe (own native objects).
 */
final class RocksDbInstance implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  static final String STATE_PREFIX = "s:";
  static final String TIMER_PREFIX = "t:";

  private final String operatorName;
  private final Path dbPath;
  private final LRUCache cache;
  private final BloomFilter bloom;
  private final ColumnFamilyOptions cfOptions;
  private final DBOptions dbOptions;
  final WriteOptions writeOptions;
  final ReadOptions readOptions;
  private final FlushOptions flushOptions;

  private RocksDB db;
  private ColumnFamilyHandle defaultCf;
  /** By full column-family name (with its prefix). */
  private final Map<String, ColumnFamilyHandle> cfs = new LinkedHashMap<>();
  private volatile boolean closed;

  RocksDbInstance(Path dbPath, String operatorName, RocksDbKeyedStateBackend.Config c) {
    this.operatorName = operatorName;
    this.dbPath = dbPath;
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

  Path path() {
    return dbPath;
  }

  boolean isOpen() {
    return db != null;
  }

  boolean isClosed() {
    return closed;
  }

  /** Opens the instance in {@link #path()} (creating it) unless it is open. */
  void ensureOpen() {
    if (db != null) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("operator '" + operatorName + "': the state backend is closed");
    }
    try {
      Files.createDirectories(dbPath);
      List<byte[]> names = new ArrayList<>();
      if (Files.exists(dbPath.resolve("CURRENT"))) {
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
          names.addAll(RocksDB.listColumnFamilies(o, dbPath.toString()));
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
      db = RocksDB.open(dbOptions, dbPath.toString(), descriptors, handles);
      for (int i = 0; i < names.size(); i++) {
        String n = new String(names.get(i), StandardCharsets.UTF_8);
        if (Arrays.equals(names.get(i), RocksDB.DEFAULT_COLUMN_FAMILY)) {
          defaultCf = handles.get(i);
        } else if (n.startsWith(STATE_PREFIX) || n.startsWith(TIMER_PREFIX)) {
          cfs.put(n, handles.get(i));
        } else {
          handles.get(i).close();
        }
      }
    } catch (RocksDBException | IOException e) {
      throw new IllegalStateException("operator '" + operatorName + "': cannot open RocksDB in " + dbPath, e);
    }
  }

  /** The column family {@code name} (with its prefix), created if missing. */
  ColumnFamilyHandle columnFamily(String name) {
    ensureOpen();
    ColumnFamilyHandle h = cfs.get(name);
    if (h == null) {
      try {
        h = db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
      } catch (RocksDBException e) {
        throw failure("cannot create the column family '" + name + "'", e);
      }
      cfs.put(name, h);
    }
    return h;
  }

  /** The column family {@code name} if it exists, else null. */
  ColumnFamilyHandle existing(String name) {
    return cfs.get(name);
  }

  /** The names of the column families with {@code prefix}, without it. */
  List<String> names(String prefix) {
    List<String> out = new ArrayList<>();
    for (String n : cfs.keySet()) {
      if (n.startsWith(prefix)) {
        out.add(n.substring(prefix.length()));
      }
    }
    return out;
  }

  RuntimeException failure(String what, RocksDBException e) {
    return new IllegalStateException("operator '" + operatorName + "': RocksDB: " + what + ": " + e.getMessage(), e);
  }

  byte[] get(ColumnFamilyHandle cf, byte[] key, String what) {
    try {
      return db.get(cf, readOptions, key);
    } catch (RocksDBException e) {
      throw failure("get in " + what, e);
    }
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value, String what) {
    try {
      db.put(cf, writeOptions, key, value);
    } catch (RocksDBException e) {
      throw failure("put in " + what, e);
    }
  }

  void delete(ColumnFamilyHandle cf, byte[] key, String what) {
    try {
      db.delete(cf, writeOptions, key);
    } catch (RocksDBException e) {
      throw failure("delete in " + what, e);
    }
  }

  void merge(ColumnFamilyHandle cf, byte[] key, byte[] value, String what) {
    try {
      db.merge(cf, writeOptions, key, value);
    } catch (RocksDBException e) {
      throw failure("merge in " + what, e);
    }
  }

  void write(WriteBatch batch, String what) {
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("write to " + what, e);
    }
  }

  RocksIterator iterator(ColumnFamilyHandle cf, ReadOptions options) {
    return db.newIterator(cf, options);
  }

  RocksIterator iterator(ColumnFamilyHandle cf) {
    return db.newIterator(cf);
  }

  /** Flushes every memtable and takes a RocksDB checkpoint (hard links) in {@code chk}. */
  void checkpoint(Path chk) throws RocksDBException {
    ensureOpen();
    List<ColumnFamilyHandle> all = new ArrayList<>();
    all.add(defaultCf);
    all.addAll(cfs.values());
    db.flush(flushOptions, all);
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(chk.toString());
    }
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
  }

  @FunctionalInterface
  interface ReadOnlyWork {
    void run(RocksDB db, Map<String, ColumnFamilyHandle> handles) throws RocksDBException;
  }

  /**
   * Opens the instance in {@code path} read-only with those of the column families {@code names}
   * (full names) that it has, with options of its own (so that it does not depend on a backend's
   * native objects), and hands their handles by full name to {@code work}.
   */
  static void withReadOnly(Path path, List<String> names, ReadOnlyWork work) throws RocksDBException {
    List<byte[]> existing;
    try (org.rocksdb.Options o = new org.rocksdb.Options()) {
      existing = RocksDB.listColumnFamilies(o, path.toString());
    }
    Set<String> present = new HashSet<>();
    existing.forEach(n -> present.add(new String(n, StandardCharsets.UTF_8)));
    List<String> open = names.stream().filter(present::contains).toList();
    try (ColumnFamilyOptions cfo = newColumnFamilyOptions(4, null, null);
        DBOptions o = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(1)) {
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
      open.forEach(n -> descriptors.add(new ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8), cfo)));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB ro = RocksDB.openReadOnly(o, path.toString(), descriptors, handles)) {
        try {
          Map<String, ColumnFamilyHandle> byName = new LinkedHashMap<>();
          for (int i = 0; i < open.size(); i++) {
            byName.put(open.get(i), handles.get(i + 1));
          }
          work.run(ro, byName);
        } finally {
          handles.forEach(ColumnFamilyHandle::close);
        }
      }
    }
  }
}
