package io.eddy.state;

import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Removes expired entries of states with a TTL from RocksDB in the background of checkpoints:
 * after a snapshot, {@link #findExpired} scans the snapshot's local RocksDB checkpoint on the
 * snapshot's worker thread and queues the keys of expired entries (at most 100,000 per snapshot);
 * the next snapshot, on the event loop, first deletes (or trims) those that are still expired
 * ({@link #applyCandidates}). Reads check expiry themselves, so this only bounds the space.
 */
final class RocksDbTtlCleanup {
  private static final int MAX_CANDIDATES = 100_000;

  private record Candidate(String state, byte[] key) {}

  private final ConcurrentLinkedQueue<Candidate> candidates = new ConcurrentLinkedQueue<>();
  private final TtlClockSource clock;

  /** The backend's clock, read when needed (tests replace it). */
  @FunctionalInterface
  interface TtlClockSource {
    TtlClock get();
  }

  RocksDbTtlCleanup(TtlClockSource clock) {
    this.clock = clock;
  }

  /**
   * The stored value {@code b} of a state with a TTL without its expired parts: {@code b} itself
   * when nothing expired, null when nothing is left. Thread-safe (serdes are).
   */
  static byte[] prune(StateInfo info, byte[] b, long now) {
    if (info.kind != StateKind.LIST) {
      return info.expired(RocksDbKeys.getLong(b, 0), now) ? null : b;
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

  /** Opens a local checkpoint read-only and queues the keys of expired entries (a worker thread). */
  void findExpired(Path chk, List<StateInfo> ttlStates) throws RocksDBException {
    long now = clock.get().currentTimeMillis();
    List<String> names = ttlStates.stream().map(i -> RocksDbInstance.STATE_PREFIX + i.name).toList();
    RocksDbInstance.withReadOnly(chk, names, (ro, handles) -> {
      int found = 0;
      for (StateInfo info : ttlStates) {
        ColumnFamilyHandle h = handles.get(RocksDbInstance.STATE_PREFIX + info.name);
        if (h == null) {
          continue;
        }
        try (RocksIterator it = ro.newIterator(h)) {
          for (it.seekToFirst(); it.isValid() && found < MAX_CANDIDATES; it.next()) {
            byte[] v = it.value();
            if (prune(info, v, now) != v) {
              candidates.add(new Candidate(info.name, it.key()));
              found++;
            }
          }
        }
      }
    });
  }

  /** Deletes (or trims) the entries a previous snapshot found expired, if they still are (the event loop). */
  void applyCandidates(RocksDbInstance db, Map<String, RocksDbState> states) {
    if (candidates.isEmpty()) {
      return;
    }
    long now = clock.get().currentTimeMillis();
    try (WriteBatch batch = new WriteBatch()) {
      Candidate c;
      while ((c = candidates.poll()) != null) {
        RocksDbState s = states.get(c.state);
        if (s == null) {
          continue;
        }
        byte[] v = s.get(c.key);
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
      db.write(batch, "expired state");
    } catch (RocksDBException e) {
      throw db.failure("cleaning up expired state", e);
    }
  }
}
