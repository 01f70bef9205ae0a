package io.eddy.state;

import io.eddy.api.state.MapState;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;

/**
 * Map state in RocksDB: one RocksDB entry per map entry, keyed by the current key's RocksDB key
 * followed by the serialized map key (serdes are self-delimiting, so a key's entries are exactly
 * the RocksDB keys starting with its prefix), valued {@code [long stamp] byte present [value]}.
 * Iteration scans the prefix, deleting expired entries as it goes. Confined to the task's event loop.
 */
final class RocksDbMapState extends RocksDbState implements MapState<Object, Object> {
  RocksDbMapState(RocksDbKeyedStateBackend backend, StateInfo info) {
    super(backend, info);
  }

  private byte[] entryKey(Object mapKey) {
    if (mapKey == null) {
      throw new NullPointerException("state '" + info.name + "': map state keys must not be null");
    }
    byte[] prefix = backend.keyBytes();
    DataWriter out = backend.keyOut();
    out.reset();
    out.writeBytes(prefix);
    info.mapKeySerde.write(mapKey, out);
    return out.toByteArray();
  }

  private byte[] entryValue(Object value, long stamp) {
    DataWriter out = backend.valueOut();
    out.reset();
    if (info.hasTtl()) {
      out.writeLong(stamp);
    }
    if (value == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      info.valueSerde.write(value, out);
    }
    return out.toByteArray();
  }

  /** Reads an entry value; {@code in} is past the stamp. */
  private Object readEntryValue(DataReader in) {
    return in.readBoolean() ? info.valueSerde.read(in) : null;
  }

  @Override
  public Object get(Object key) {
    DataReader in = readStamped(entryKey(key));
    return in == null ? null : readEntryValue(in);
  }

  @Override
  public boolean contains(Object key) {
    return readStamped(entryKey(key)) != null;
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
      db.write(batch, what);
    } catch (RocksDBException e) {
      throw db.failure("putAll in " + what, e);
    }
  }

  @Override
  public void remove(Object key) {
    delete(entryKey(key));
  }

  @FunctionalInterface
  private interface EntryVisitor {
    boolean visit(byte[] key, int mapKeyOffset, DataReader value, WriteBatch batch) throws RocksDBException;
  }

  /**
   * Visits the current key's live entries (raw RocksDB key, value reader past the stamp), deleting
   * expired ones and refreshing the others if configured and {@code refresh}; stops when
   * {@code visitor} returns false.
   */
  private void scan(boolean refresh, EntryVisitor visitor) {
    byte[] prefix = backend.keyBytes();
    byte[] upper = RocksDbKeys.successor(prefix);
    long now = info.hasTtl() ? backend.clock().currentTimeMillis() : 0L;
    try (ReadOptions ro = new ReadOptions();
        Slice bound = upper == null ? null : new Slice(upper);
        WriteBatch batch = new WriteBatch()) {
      if (bound != null) {
        ro.setIterateUpperBound(bound);
      }
      try (RocksIterator it = db.iterator(cf, ro)) {
        for (it.seek(prefix); it.isValid(); it.next()) {
          byte[] k = it.key();
          if (!RocksDbKeys.startsWith(k, prefix)) {
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
              RocksDbKeys.putLong(v, 0, now);
              batch.put(cf, k, v);
            }
          }
          if (!visitor.visit(k, prefix.length, in, batch)) {
            break;
          }
        }
      }
      if (batch.count() > 0) {
        db.write(batch, what);
      }
    } catch (RocksDBException e) {
      throw db.failure("iterating " + what, e);
    }
  }

  @Override
  public Iterable<Map.Entry<Object, Object>> entries() {
    List<Map.Entry<Object, Object>> out = new ArrayList<>();
    scan(true, (k, from, in, batch) -> {
      Object mapKey = info.mapKeySerde.read(new DataReader(k, from, k.length));
      out.add(new AbstractMap.SimpleImmutableEntry<>(mapKey, readEntryValue(in)));
      return true;
    });
    return out;
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
