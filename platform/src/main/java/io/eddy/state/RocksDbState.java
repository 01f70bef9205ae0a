package io.eddy.state;

import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import org.rocksdb.ColumnFamilyHandle;

/**
 * What the RocksDB states share: one column family per state ({@code "s:" + name}), the current
 * key's RocksDB key from the backend, values written as {@code [long stamp] value} (the stamp, epoch
 * millis of the last write or access, only for states with a TTL), and the TTL rules on read.
 * Values are serialized on every write and deserialized on every read, so a read returns a fresh
 * copy. Confined to the task's event loop.
 */
abstract class RocksDbState {
  final RocksDbKeyedStateBackend backend;
  final RocksDbInstance db;
  final StateInfo info;
  final ColumnFamilyHandle cf;
  final String what;

  RocksDbState(RocksDbKeyedStateBackend backend, StateInfo info) {
    this.backend = backend;
    this.db = backend.instance();
    this.info = info;
    this.cf = db.columnFamily(RocksDbInstance.STATE_PREFIX + info.name);
    this.what = "state '" + info.name + "'";
  }

  final byte[] get(byte[] key) {
    return db.get(cf, key, what);
  }

  final void put(byte[] key, byte[] value) {
    db.put(cf, key, value, what);
  }

  final void delete(byte[] key) {
    db.delete(cf, key, what);
  }

  final long now() {
    return info.hasTtl() ? backend.clock().currentTimeMillis() : 0L;
  }

  final void writeValue(DataWriter out, Object value, long stamp) {
    if (info.hasTtl()) {
      out.writeLong(stamp);
    }
    info.valueSerde.write(value, out);
  }

  final byte[] valueBytes(Object value) {
    DataWriter out = backend.valueOut();
    out.reset();
    writeValue(out, value, now());
    return out.toByteArray();
  }

  /**
   * The stored bytes under {@code key}, positioned past the TTL stamp, or null if absent or expired
   * (an expired entry is deleted; a read refreshes the stamp when the TTL says so).
   */
  final DataReader readStamped(byte[] key) {
    byte[] b = get(key);
    if (b == null) {
      return null;
    }
    DataReader in = new DataReader(b);
    if (info.hasTtl()) {
      long now = backend.clock().currentTimeMillis();
      if (info.expired(in.readLong(), now)) {
        delete(key);
        return null;
      }
      if (info.refreshOnRead) {
        RocksDbKeys.putLong(b, 0, now);
        put(key, b);
      }
    }
    return in;
  }

  final void clearKey() {
    delete(backend.keyBytes());
  }

  /** The stored value of value, reducing and aggregating state: one RocksDB entry per key. */
  static final class ValueCell extends RocksDbState implements SingleValueStates.Cell {
    ValueCell(RocksDbKeyedStateBackend backend, StateInfo info) {
      super(backend, info);
    }

    @Override
    public Object read() {
      DataReader in = readStamped(backend.keyBytes());
      return in == null ? null : info.valueSerde.read(in);
    }

    @Override
    public void write(Object value) {
      put(backend.keyBytes(), valueBytes(value));
    }

    @Override
    public void remove() {
      clearKey();
    }
  }
}
