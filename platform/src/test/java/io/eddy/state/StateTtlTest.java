package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.state.AggregatingState;
import io.eddy.api.state.AggregatingStateDescriptor;
import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.ReducingState;
import io.eddy.api.state.ReducingStateDescriptor;
import io.eddy.api.state.StateTtlConfig;
import io.eddy.api.state.StateTtlConfig.UpdateType;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.state.StateTestSupport.Backend;
import io.eddy.state.StateTestSupport.ManualClock;
import io.eddy.state.StateTestSupport.Target;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Time-to-live with an injected clock, on both backends and both update types: random operations
 * and clock moves against an oracle that applies the documented rules (a value stamped at s is
 * expired at now when now - s >= ttl; writes stamp; reads stamp too with ON_READ_AND_WRITE).
 */
class StateTtlTest {
  private static final long TTL = 100;

  @TempDir
  Path dir;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Backend b : Backend.values()) {
      for (UpdateType t : UpdateType.values()) {
        out.add(Arguments.of(b, t));
      }
    }
    return out.stream();
  }

  /** A value with its stamp, in the oracle. */
  private static final class Stamped<T> {
    final T value;
    long stamp;

    Stamped(T value, long stamp) {
      this.value = value;
      this.stamp = stamp;
    }
  }

  private static boolean expired(Stamped<?> s, long now) {
    return now - s.stamp >= TTL;
  }

  private AbstractKeyedStateBackend backend(Backend kind, ManualClock clock) {
    AbstractKeyedStateBackend b = kind.create(dir, "ttl-op", 128, 0, 127);
    b.setTtlClock(clock);
    return b;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void valueStateExpiresByTheRules(Backend kind, UpdateType type) {
    ManualClock clock = new ManualClock();
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      ValueState<Integer> s = b.getState(new ValueStateDescriptor<>("v", Integer.class)
          .enableTimeToLive(StateTtlConfig.of(Duration.ofMillis(TTL), type)));
      boolean refresh = type == UpdateType.ON_READ_AND_WRITE;
      Map<String, Stamped<Integer>> oracle = new HashMap<>();
      Random r = new Random(11);
      for (int i = 0; i < 3000; i++) {
        clock.advance(r.nextInt(30));
        long now = clock.currentTimeMillis();
        String key = "k" + r.nextInt(20);
        b.setCurrentKey(key);
        if (r.nextInt(3) == 0) {
          int v = r.nextInt(1000);
          s.update(v);
          oracle.put(key, new Stamped<>(v, now));
        } else {
          Stamped<Integer> e = oracle.get(key);
          Integer expected = null;
          if (e != null && expired(e, now)) {
            oracle.remove(key);
          } else if (e != null) {
            expected = e.value;
            if (refresh) {
              e.stamp = now;
            }
          }
          assertThat(s.value()).as("op %d key %s at %d", i, key, now).isEqualTo(expected);
        }
      }
      // the boundary: expired exactly ttl after the write
      b.setCurrentKey("edge");
      s.update(1);
      clock.advance(TTL - 1);
      assertThat(s.value()).isEqualTo(1);
      clock.advance(refresh ? TTL : 1);
      assertThat(s.value()).isNull();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void listElementsExpireOneByOne(Backend kind, UpdateType type) {
    ManualClock clock = new ManualClock();
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      ListState<String> s = b.getListState(new ListStateDescriptor<>("l", String.class)
          .enableTimeToLive(StateTtlConfig.of(Duration.ofMillis(TTL), type)));
      boolean refresh = type == UpdateType.ON_READ_AND_WRITE;
      Map<String, List<Stamped<String>>> oracle = new HashMap<>();
      Random r = new Random(12);
      for (int i = 0; i < 3000; i++) {
        clock.advance(r.nextInt(30));
        long now = clock.currentTimeMillis();
        String key = "k" + r.nextInt(10);
        b.setCurrentKey(key);
        List<Stamped<String>> expected = oracle.computeIfAbsent(key, k -> new ArrayList<>());
        switch (r.nextInt(4)) {
          case 0 -> {
            String v = "v" + i;
            s.add(v);
            expected.add(new Stamped<>(v, now));
          }
          case 1 -> {
            if (r.nextInt(4) == 0) {
              s.update(List.of("u" + i));
              expected.clear();
              expected.add(new Stamped<>("u" + i, now));
            } else {
              s.addAll(List.of("a" + i, "b" + i));
              expected.add(new Stamped<>("a" + i, now));
              expected.add(new Stamped<>("b" + i, now));
            }
          }
          default -> {
            expected.removeIf(e -> expired(e, now));
            List<String> values = new ArrayList<>();
            for (Stamped<String> e : expected) {
              values.add(e.value);
              if (refresh) {
                e.stamp = now;
              }
            }
            List<String> actual = new ArrayList<>();
            s.get().forEach(actual::add);
            assertThat(actual).as("op %d key %s", i, key).containsExactlyElementsOf(values);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void mapEntriesExpireOneByOne(Backend kind, UpdateType type) {
    ManualClock clock = new ManualClock();
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      MapState<Integer, String> s = b.getMapState(new MapStateDescriptor<>("m", Integer.class, String.class)
          .enableTimeToLive(StateTtlConfig.of(Duration.ofMillis(TTL), type)));
      boolean refresh = type == UpdateType.ON_READ_AND_WRITE;
      Map<String, Map<Integer, Stamped<String>>> oracle = new HashMap<>();
      Random r = new Random(13);
      for (int i = 0; i < 3000; i++) {
        clock.advance(r.nextInt(30));
        long now = clock.currentTimeMillis();
        String key = "k" + r.nextInt(10);
        b.setCurrentKey(key);
        Map<Integer, Stamped<String>> expected = oracle.computeIfAbsent(key, k -> new HashMap<>());
        int mk = r.nextInt(6);
        switch (r.nextInt(5)) {
          case 0, 1 -> {
            String v = r.nextInt(4) == 0 ? null : "v" + i;
            s.put(mk, v);
            expected.put(mk, new Stamped<>(v, now));
          }
          case 2 -> {
            Stamped<String> e = expected.get(mk);
            String want = null;
            if (e != null && expired(e, now)) {
              expected.remove(mk);
              e = null;
            }
            if (e != null) {
              want = e.value;
              if (refresh) {
                e.stamp = now;
              }
            }
            boolean present = e != null;
            if (r.nextBoolean()) {
              assertThat(s.get(mk)).as("op %d", i).isEqualTo(want);
            } else {
              assertThat(s.contains(mk)).as("op %d", i).isEqualTo(present);
            }
          }
          case 3 -> {
            expected.values().removeIf(e -> expired(e, now));
            assertThat(s.isEmpty()).as("op %d", i).isEqualTo(expected.isEmpty());
          }
          default -> {
            expected.values().removeIf(e -> expired(e, now));
            Map<Integer, String> want = new HashMap<>();
            expected.forEach((k, e) -> {
              want.put(k, e.value);
              if (refresh) {
                e.stamp = now;
              }
            });
            Map<Integer, String> actual = new HashMap<>();
            s.entries().forEach(e -> actual.put(e.getKey(), e.getValue()));
            assertThat(actual).as("op %d key %s", i, key).isEqualTo(want);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void reducingAndAggregatingStateExpire(Backend kind, UpdateType type) {
    ManualClock clock = new ManualClock();
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      StateTtlConfig ttl = StateTtlConfig.of(Duration.ofMillis(TTL), type);
      ReducingState<Long> sum = b.getReducingState(
          new ReducingStateDescriptor<>("sum", Long::sum, Long.class).enableTimeToLive(ttl));
      AggregatingState<Integer, Double> avg = b.getAggregatingState(new AggregatingStateDescriptor<>(
          "avg", new KeyedStateSemanticsTest.Average(), KeyedStateSemanticsTest.Avg.class).enableTimeToLive(ttl));
      b.setCurrentKey("a");
      sum.add(2L);
      avg.add(2);
      clock.advance(60);
      sum.add(3L); // a write: restamps
      avg.add(4);
      clock.advance(60);
      assertThat(sum.get()).isEqualTo(5L);
      assertThat(avg.get()).isEqualTo(3.0);
      clock.advance(60); // 120 after the write, 60 after the read
      if (type == UpdateType.ON_READ_AND_WRITE) {
        assertThat(sum.get()).isEqualTo(5L);
        assertThat(avg.get()).isEqualTo(3.0);
        clock.advance(TTL);
      }
      assertThat(sum.get()).isNull();
      assertThat(avg.get()).isNull();
      sum.add(1L); // starts afresh
      assertThat(sum.get()).isEqualTo(1L);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void snapshotsCleanUpExpiredEntries(Backend kind) throws Exception {
    ManualClock clock = new ManualClock();
    Path root = dir.resolve("checkpoints");
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      StateTtlConfig ttl = StateTtlConfig.of(Duration.ofMillis(TTL));
      ValueState<String> v = b.getState(new ValueStateDescriptor<>("v", String.class).enableTimeToLive(ttl));
      ListState<String> l = b.getListState(new ListStateDescriptor<>("l", String.class).enableTimeToLive(ttl));
      MapState<String, String> m =
          b.getMapState(new MapStateDescriptor<>("m", String.class, String.class).enableTimeToLive(ttl));
      for (int i = 0; i < 50; i++) {
        b.setCurrentKey("old" + i);
        v.update("x");
        l.add("x");
        m.put("a", "x");
      }
      clock.advance(TTL / 2);
      for (int i = 0; i < 10; i++) {
        b.setCurrentKey("new" + i);
        v.update("y");
        l.add("y");
        m.put("a", "y");
        b.setCurrentKey("old" + i); // half-expired list: one old element, one new
        l.add("z");
      }
      clock.advance(TTL / 2); // the "old" writes are expired now, never read since
      assertThat(rawCount(b, "v")).isEqualTo(60);
      JsonObject first = StateTestSupport.snapshot(b, Target.of(root, 1, "0-0"));
      if (kind == Backend.ROCKSDB) { // the first snapshot finds them, the next one deletes them
        StateTestSupport.snapshot(b, Target.of(root, 2, "0-0"));
      }
      assertThat(rawCount(b, "v")).isEqualTo(10);
      assertThat(rawCount(b, "m")).isEqualTo(10);
      assertThat(rawCount(b, "l")).isEqualTo(20); // 10 new lists, 10 old lists trimmed to one element
      if (kind == Backend.HEAP) { // the expired entries are not in the snapshot either
        HeapKeyedStateBackend restored = new HeapKeyedStateBackend("ttl-op", 128, 0, 127);
        restored.setTtlClock(clock);
        restored.restore(List.of(first), root);
        restored.getState(new ValueStateDescriptor<>("v", String.class).enableTimeToLive(ttl));
        assertThat(restored.rawEntryCount("v")).isEqualTo(10);
      }
      b.setCurrentKey("old3");
      List<String> left = new ArrayList<>();
      l.get().forEach(left::add);
      assertThat(left).containsExactly("z");
      assertThat(v.value()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void expiredEntriesAreRemovedWhenAccessed(Backend kind) {
    ManualClock clock = new ManualClock();
    try (AbstractKeyedStateBackend b = backend(kind, clock)) {
      StateTtlConfig ttl = StateTtlConfig.of(Duration.ofMillis(TTL));
      ValueState<String> v = b.getState(new ValueStateDescriptor<>("v", String.class).enableTimeToLive(ttl));
      ListState<String> l = b.getListState(new ListStateDescriptor<>("l", String.class).enableTimeToLive(ttl));
      MapState<String, String> m =
          b.getMapState(new MapStateDescriptor<>("m", String.class, String.class).enableTimeToLive(ttl));
      for (int i = 0; i < 5; i++) {
        b.setCurrentKey("k" + i);
        v.update("x");
        l.add("x");
        m.put("a", "x");
        m.put("b", "x");
      }
      clock.advance(TTL);
      for (int i = 0; i < 5; i++) {
        b.setCurrentKey("k" + i);
        m.put("b", "y"); // fresh
      }
      assertThat(rawCount(b, "v")).isEqualTo(5);
      assertThat(rawCount(b, "l")).isEqualTo(5);
      assertThat(rawCount(b, "m")).isEqualTo(10);
      for (int i = 0; i < 3; i++) {
        b.setCurrentKey("k" + i);
        assertThat(v.value()).isNull();
        assertThat(l.get()).isEmpty();
        assertThat(m.get("a")).isNull();
        assertThat(m.get("b")).isEqualTo("y");
      }
      assertThat(rawCount(b, "v")).isEqualTo(2);
      assertThat(rawCount(b, "l")).isEqualTo(2);
      assertThat(rawCount(b, "m")).isEqualTo(7);
    }
  }

  private static long rawCount(AbstractKeyedStateBackend b, String state) {
    return b instanceof HeapKeyedStateBackend h ? h.rawEntryCount(state)
        : ((RocksDbKeyedStateBackend) b).rawEntryCount(state);
  }
}
