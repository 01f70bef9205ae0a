package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.eddy.state.StateTestSupport.Backend;
import io.eddy.state.StateTestSupport.Target;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The timer stores of both backends against a plain set of live timers: every live timer comes out
 * once, in time order, only when due, and deleted ones never; the RocksDB store's timers travel
 * with its snapshots and are split by key group on a rescaling restore.
 */
class TimerStoreTest {
  @TempDir Path dir;

  @SuppressWarnings("unchecked")
  private static Serde<Object> dynamic() {
    return (Serde<Object>) SerdeRegistry.withBuiltIns().forClass(Object.class);
  }

  private static long randomTime(Random rnd) {
    int r = rnd.nextInt(100);
    return r == 0 ? Long.MAX_VALUE : r == 1 ? -5 - rnd.nextInt(1000) : rnd.nextInt(1000);
  }

  /** Random registrations and deletions, checked against the set of live timers while polling up to increasing times. */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void eachLiveTimerComesOutOnceInTimeOrderWhenDue(Backend kind) throws Exception {
    try (AbstractKeyedStateBackend backend = kind.create(dir, "op", 128, 0, 127)) {
      TimerStore store = backend.timerStore("t", dynamic());
      Random rnd = new Random(7);
      Set<TimerStore.Timer> live = new HashSet<>();
      for (int i = 0; i < 5_000; i++) {
        TimerStore.Timer t = new TimerStore.Timer(randomTime(rnd), rnd.nextInt(40), rnd.nextBoolean() ? null : "w" + rnd.nextInt(3));
        if (rnd.nextInt(4) == 0) {
          backend.setCurrentKey(t.key());
          store.delete(t.time(), t.key(), t.namespace());
          live.remove(t);
        } else {
          backend.setCurrentKey(t.key());
          store.add(t.time(), t.key(), t.namespace());
          live.add(t);
        }
      }
      List<TimerStore.Timer> fired = new ArrayList<>();
      long last = Long.MIN_VALUE;
      List<Long> upTos = new ArrayList<>();
      for (long upTo = -1100; upTo < 1100; upTo += 37) {
        upTos.add(upTo);
      }
      upTos.add(Long.MAX_VALUE);
      for (long upTo : upTos) {
        long earliest = live.stream().mapToLong(TimerStore.Timer::time).min().orElse(Long.MAX_VALUE);
        assertThat(store.nextTime()).as("a lower bound of the earliest timer").isLessThanOrEqualTo(earliest);
        TimerStore.Timer t;
        while ((t = store.pollDue(upTo)) != null) {
          assertThat(t.time()).isLessThanOrEqualTo(upTo).isGreaterThanOrEqualTo(last);
          assertThat(live.remove(t)).as("%s was live", t).isTrue();
          last = t.time();
          fired.add(t);
          if (fired.size() % 50 == 0 && upTo < 1000) { // a firing registers one that is due at once
            TimerStore.Timer again = new TimerStore.Timer(t.time(), t.key(), "again");
            backend.setCurrentKey(again.key());
            store.add(again.time(), again.key(), again.namespace());
            live.add(again);
          }
        }
        long remaining = live.stream().mapToLong(TimerStore.Timer::time).min().orElse(Long.MAX_VALUE);
        assertThat(remaining).as("nothing due is left after polling up to %d", upTo).isGreaterThan(upTo == Long.MAX_VALUE ? Long.MIN_VALUE : upTo);
      }
      assertThat(live).isEmpty();
      assertThat(fired).doesNotHaveDuplicates().hasSizeGreaterThan(1000);
      assertThat(store.nextTime()).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Test
  void rocksDbTimersTravelWithSnapshotsAndSplitByKeyGroupOnRestore() throws Exception {
    Set<TimerStore.Timer> all = new HashSet<>();
    JsonObject handle;
    Path root = dir.resolve("checkpoints");
    try (AbstractKeyedStateBackend b = Backend.ROCKSDB.create(dir.resolve("a"), "op", 128, 0, 127)) {
      TimerStore event = b.timerStore("event", dynamic());
      TimerStore other = b.timerStore("other", null);
      Random rnd = new Random(11);
      for (int i = 0; i < 3_000; i++) {
        TimerStore.Timer t = new TimerStore.Timer(rnd.nextInt(10_000), "key-" + rnd.nextInt(500), "ns" + rnd.nextInt(2));
        event.add(t.time(), t.key(), t.namespace());
        all.add(t);
      }
      other.add(5, "key-1", null);
      assertThat(((RocksDbKeyedStateBackend) b).rawTimerCount("event")).isEqualTo(all.size());
      handle = StateTestSupport.snapshot(b, Target.of(root, 1, "op-0"));
      event.add(1, "key-after-the-snapshot", "ns0"); // not in the checkpoint
    }
    assertThat(handle.getJsonArray("timers").getList()).contains("event", "other");

    Set<TimerStore.Timer> restored = new HashSet<>();
    int[][] ranges = {{0, 41}, {42, 99}, {100, 127}};
    for (int[] r : ranges) {
      try (AbstractKeyedStateBackend b = Backend.ROCKSDB.create(dir.resolve("b" + r[0]), "op", 128, r[0], r[1])) {
        b.restore(List.of(handle), root);
        TimerStore event = b.timerStore("event", dynamic());
        TimerStore.Timer t;
        long last = Long.MIN_VALUE;
        while ((t = event.pollDue(Long.MAX_VALUE)) != null) {
          int kg = KeyGroups.keyGroupOf(t.key(), 128);
          assertThat(kg).isBetween(r[0], r[1]);
          assertThat(t.time()).isGreaterThanOrEqualTo(last);
          last = t.time();
          assertThat(restored.add(t)).isTrue();
        }
        TimerStore other = b.timerStore("other", null);
        boolean ownsKey1 = KeyGroups.keyGroupOf("key-1", 128) >= r[0] && KeyGroups.keyGroupOf("key-1", 128) <= r[1];
        assertThat(other.nextTime()).isEqualTo(ownsKey1 ? 5 : Long.MAX_VALUE);
      }
    }
    assertThat(restored).isEqualTo(all);

    try (AbstractKeyedStateBackend b = Backend.ROCKSDB.create(dir.resolve("c"), "op", 128, 0, 127)) {
      b.restore(List.of(handle), root); // the same range: the files themselves
      assertThat(((RocksDbKeyedStateBackend) b).rawTimerCount("event")).isEqualTo(all.size());
      assertThat(b.timerStore("event", dynamic()).nextTime())
          .isEqualTo(all.stream().mapToLong(TimerStore.Timer::time).min().orElseThrow());
    }
  }
}
