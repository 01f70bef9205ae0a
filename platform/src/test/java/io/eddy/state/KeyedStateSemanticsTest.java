package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.state.AggregatingState;
import io.eddy.api.state.AggregatingStateDescriptor;
import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.ReducingState;
import io.eddy.api.state.ReducingStateDescriptor;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.state.StateTestSupport.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every state kind on both backends, against plain maps, with random operations. */
class KeyedStateSemanticsTest {
  private static final int KEYS = 60;
  private static final int OPS = 4000;

  @TempDir
  Path dir;

  record Avg(long sum, long count) {}

  static final class Average implements AggregateFunction<Integer, Avg, Double> {
    @Override
    public Avg createAccumulator() {
      return new Avg(0, 0);
    }

    @Override
    public Avg add(Integer value, Avg acc) {
      return new Avg(acc.sum() + value, acc.count() + 1);
    }

    @Override
    public Double getResult(Avg acc) {
      return (double) acc.sum() / acc.count();
    }

    @Override
    public Avg merge(Avg a, Avg b) {
      return new Avg(a.sum() + b.sum(), a.count() + b.count());
    }
  }

  private static <T> List<T> list(Iterable<T> it) {
    assertThat(it).as("an iterable, never null").isNotNull();
    List<T> out = new ArrayList<>();
    it.forEach(out::add);
    return out;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void valueState(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      ValueState<Long> s = b.getState(new ValueStateDescriptor<>("v", Long.class));
      Map<String, Long> oracle = new HashMap<>();
      Random r = new Random(1);
      for (int i = 0; i < OPS; i++) {
        String key = "k" + r.nextInt(KEYS);
        b.setCurrentKey(key);
        switch (r.nextInt(5)) {
          case 0, 1 -> {
            long v = r.nextLong();
            s.update(v);
            oracle.put(key, v);
          }
          case 2 -> {
            s.update(null);
            oracle.remove(key);
          }
          case 3 -> {
            s.clear();
            oracle.remove(key);
          }
          default -> { }
        }
        assertThat(s.value()).as("op %d, key %s", i, key).isEqualTo(oracle.get(key));
      }
      for (int k = 0; k < KEYS; k++) {
        b.setCurrentKey("k" + k);
        assertThat(s.value()).isEqualTo(oracle.get("k" + k));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void listState(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      ListState<String> s = b.getListState(new ListStateDescriptor<>("l", String.class));
      Map<String, List<String>> oracle = new HashMap<>();
      Random r = new Random(2);
      for (int i = 0; i < OPS; i++) {
        String key = "k" + r.nextInt(KEYS);
        b.setCurrentKey(key);
        List<String> expected = oracle.computeIfAbsent(key, k -> new ArrayList<>());
        switch (r.nextInt(8)) {
          case 0, 1, 2 -> {
            String v = "v" + r.nextInt(1000);
            s.add(v);
            expected.add(v);
          }
          case 3 -> {
            List<String> vs = randomList(r);
            s.addAll(vs);
            if (vs != null) {
              expected.addAll(vs);
            }
          }
          case 4 -> {
            List<String> vs = randomList(r);
            s.update(vs);
            expected.clear();
            if (vs != null) {
              expected.addAll(vs);
            }
          }
          case 5 -> {
            s.clear();
            expected.clear();
          }
          case 6 -> {
            assertThatThrownBy(() -> s.add(null)).isInstanceOf(NullPointerException.class);
            List<String> withNull = Arrays.asList("x", null);
            assertThatThrownBy(() -> s.addAll(withNull)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> s.update(withNull)).isInstanceOf(NullPointerException.class);
          }
          default -> {
            // the result is a snapshot: changing the state while iterating is allowed
            for (String v : s.get()) {
              s.add(v + "'");
              expected.add(v + "'");
              break;
            }
          }
        }
        assertThat(list(s.get())).as("op %d, key %s", i, key).containsExactlyElementsOf(expected);
      }
      for (int k = 0; k < KEYS; k++) {
        b.setCurrentKey("k" + k);
        assertThat(list(s.get())).containsExactlyElementsOf(oracle.getOrDefault("k" + k, List.of()));
      }
    }
  }

  private static List<String> randomList(Random r) {
    int n = r.nextInt(5) - 1;
    if (n < 0) {
      return null;
    }
    List<String> vs = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      vs.add("w" + r.nextInt(1000));
    }
    return vs;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void mapState(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      MapState<Integer, String> s = b.getMapState(new MapStateDescriptor<>("m", Integer.class, String.class));
      Map<String, Map<Integer, String>> oracle = new HashMap<>();
      Random r = new Random(3);
      for (int i = 0; i < OPS; i++) {
        String key = "k" + r.nextInt(KEYS);
        b.setCurrentKey(key);
        Map<Integer, String> expected = oracle.computeIfAbsent(key, k -> new HashMap<>());
        int mk = r.nextInt(12) - 6; // negative map keys too
        switch (r.nextInt(9)) {
          case 0, 1, 2 -> {
            String v = r.nextInt(5) == 0 ? null : "v" + r.nextInt(100);
            s.put(mk, v);
            expected.put(mk, v);
          }
          case 3 -> {
            Map<Integer, String> m = new HashMap<>();
            for (int j = r.nextInt(4); j > 0; j--) {
              m.put(r.nextInt(12), "p" + j);
            }
            s.putAll(m);
            expected.putAll(m);
          }
          case 4 -> {
            s.remove(mk);
            expected.remove(mk);
          }
          case 5 -> {
            if (r.nextInt(3) == 0) {
              s.clear();
              expected.clear();
            }
          }
          case 6 -> {
            assertThatThrownBy(() -> s.put(null, "x")).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> s.get(null)).isInstanceOf(NullPointerException.class);
          }
          default -> { }
        }
        assertThat(s.get(mk)).as("op %d, key %s, map key %d", i, key, mk).isEqualTo(expected.get(mk));
        assertThat(s.contains(mk)).isEqualTo(expected.containsKey(mk));
        assertMapEquals(s, expected);
      }
      for (int k = 0; k < KEYS; k++) {
        b.setCurrentKey("k" + k);
        assertMapEquals(s, oracle.getOrDefault("k" + k, Map.of()));
      }
    }
  }

  private static void assertMapEquals(MapState<Integer, String> s, Map<Integer, String> expected) {
    Map<Integer, String> actual = new HashMap<>();
    for (Map.Entry<Integer, String> e : s.entries()) {
      assertThat(actual.containsKey(e.getKey())).as("duplicate map key %s", e.getKey()).isFalse();
      actual.put(e.getKey(), e.getValue());
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(new HashSet<>(list(s.keys()))).isEqualTo(expected.keySet());
    List<String> values = list(s.values());
    List<String> expectedValues = new ArrayList<>(expected.values());
    assertThat(values).containsExactlyInAnyOrderElementsOf(expectedValues);
    assertThat(s.isEmpty()).isEqualTo(expected.isEmpty());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void reducingState(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      ReducingState<Long> s = b.getReducingState(new ReducingStateDescriptor<>("r", Long::sum, Long.class));
      Map<String, Long> oracle = new HashMap<>();
      Random r = new Random(4);
      for (int i = 0; i < OPS; i++) {
        String key = "k" + r.nextInt(KEYS);
        b.setCurrentKey(key);
        switch (r.nextInt(6)) {
          case 0, 1, 2, 3 -> {
            long v = r.nextInt(1000) - 500;
            s.add(v);
            oracle.merge(key, v, Long::sum);
          }
          case 4 -> {
            s.clear();
            oracle.remove(key);
          }
          default -> assertThatThrownBy(() -> s.add(null)).isInstanceOf(NullPointerException.class);
        }
        assertThat(s.get()).as("op %d, key %s", i, key).isEqualTo(oracle.get(key));
      }
      // a reduce function returning null clears
      ReducingState<Long> zeroClears = b.getReducingState(
          new ReducingStateDescriptor<>("z", (a, v) -> a + v == 0 ? null : a + v, Long.class));
      b.setCurrentKey("z");
      zeroClears.add(5L);
      zeroClears.add(-5L);
      assertThat(zeroClears.get()).isNull();
      zeroClears.add(7L);
      assertThat(zeroClears.get()).isEqualTo(7L);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aggregatingState(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      AggregatingState<Integer, Double> s =
          b.getAggregatingState(new AggregatingStateDescriptor<>("a", new Average(), Avg.class));
      Map<String, long[]> oracle = new HashMap<>();
      Random r = new Random(5);
      for (int i = 0; i < OPS; i++) {
        String key = "k" + r.nextInt(KEYS);
        b.setCurrentKey(key);
        switch (r.nextInt(6)) {
          case 0, 1, 2, 3 -> {
            int v = r.nextInt(100);
            s.add(v);
            long[] sc = oracle.computeIfAbsent(key, k -> new long[2]);
            sc[0] += v;
            sc[1]++;
          }
          case 4 -> {
            s.clear();
            oracle.remove(key);
          }
          default -> assertThatThrownBy(() -> s.add(null)).isInstanceOf(NullPointerException.class);
        }
        long[] sc = oracle.get(key);
        assertThat(s.get()).as("op %d, key %s", i, key).isEqualTo(sc == null ? null : (double) sc[0] / sc[1]);
      }
    }
  }

  /** A key class the serde registry has no serde for. */
  static final class NoSerdeKey {
    final int id;

    NoSerdeKey(int id) {
      this.id = id;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NoSerdeKey k && k.id == id;
    }

    @Override
    public int hashCode() {
      return id;
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void keysWithoutSerdeFailOnlyWhenTheyMustBeSerialized(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 127)) {
      ValueState<Long> v = b.getState(new ValueStateDescriptor<>("v", Long.class));
      b.setCurrentKey(new NoSerdeKey(1));
      if (backend == Backend.HEAP) { // in memory, keys are objects
        v.update(1L);
        assertThat(v.value()).isEqualTo(1L);
        assertThatThrownBy(() -> b.snapshot(StateTestSupport.Target.of(dir, 1, "0-0")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("operator 'op'").hasMessageContaining("NoSerdeKey");
      } else {
        assertThatThrownBy(() -> v.update(1L))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("operator 'op'").hasMessageContaining("NoSerdeKey");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void registrationRulesAndKeyChecks(Backend backend) {
    try (AbstractKeyedStateBackend b = backend.create(dir, "op", 128, 0, 63)) {
      ValueState<Long> v = b.getState(new ValueStateDescriptor<>("x", Long.class));
      assertThat(b.getState(new ValueStateDescriptor<>("x", Long.class))).isSameAs(v);
      assertThatThrownBy(() -> b.getListState(new ListStateDescriptor<>("x", Long.class)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("'x'");
      assertThatThrownBy(() -> b.getState(new ValueStateDescriptor<>("x", String.class)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("eddy.string:1");
      // no current key yet
      assertThatThrownBy(v::value).isInstanceOf(IllegalStateException.class).hasMessageContaining("current key");
      String inRange = null;
      String outOfRange = null;
      for (int i = 0; inRange == null || outOfRange == null; i++) {
        int kg = KeyGroups.keyGroupOf("k" + i, 128);
        if (kg <= 63) {
          inRange = "k" + i;
        } else {
          outOfRange = "k" + i;
        }
      }
      String out = outOfRange;
      assertThatThrownBy(() -> b.setCurrentKey(out)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("outside this subtask's range");
      b.setCurrentKey(inRange);
      v.update(1L);
      // keys of one operator have one class
      Integer otherClass = null;
      for (int i = 0; otherClass == null; i++) {
        if (KeyGroups.keyGroupOf(i, 128) <= 63) {
          otherClass = i;
        }
      }
      Integer other = otherClass;
      assertThatThrownBy(() -> b.setCurrentKey(other)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("java.lang.Integer").hasMessageContaining("'op'");
      assertThat(v.value()).isEqualTo(1L);
    }
  }
}
