package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.state.AggregatingState;
import io.eddy.api.state.AggregatingStateDescriptor;
import io.eddy.api.state.KeyedStateStore;
import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.ReducingState;
import io.eddy.api.state.ReducingStateDescriptor;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.state.KeyedStateSemanticsTest.Avg;
import io.eddy.state.KeyedStateSemanticsTest.Average;
import io.eddy.state.StateTestSupport.Backend;
import io.eddy.state.StateTestSupport.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Snapshot at parallelism 2, restore at 1, 3 and 2 (and once more from 3 to 2, with a state the
 * middle generation never asked for): every key's state equals the oracle, and no backend holds a
 * key outside its key-group range.
 */
class RescaleRestoreTest {
  private static final int MAX_P = 128;

  @TempDir
  Path dir;

  /** The oracle: per key, what each state must hold. */
  private final Map<String, Long> values = new HashMap<>();
  private final Map<String, List<String>> lists = new HashMap<>();
  private final Map<String, Map<Integer, String>> maps = new HashMap<>();
  private final Map<String, Long> sums = new HashMap<>();
  private final Map<String, long[]> avgs = new HashMap<>();

  /** The handles of one backend's states. */
  private static final class States {
    final ValueState<Long> value;
    final ListState<String> list;
    final MapState<Integer, String> map;
    final ReducingState<Long> sum;
    final AggregatingState<Integer, Double> avg;

    States(KeyedStateStore store, boolean withMap) {
      value = store.getState(new ValueStateDescriptor<>("value", Long.class));
      list = store.getListState(new ListStateDescriptor<>("list", String.class));
      map = withMap ? store.getMapState(new MapStateDescriptor<>("map", Integer.class, String.class)) : null;
      sum = store.getReducingState(new ReducingStateDescriptor<>("sum", Long::sum, Long.class));
      avg = store.getAggregatingState(new AggregatingStateDescriptor<>("avg", new Average(), Avg.class));
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void snapshotAtTwoRestoresAtOneThreeAndTwo(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    List<AbstractKeyedStateBackend> open = new ArrayList<>();
    try {
      List<AbstractKeyedStateBackend> gen0 = create(kind, 2, open);
      List<States> states0 = new ArrayList<>();
      gen0.forEach(b -> states0.add(new States(b, true)));
      List<String> keys = fill(gen0, states0, 2);
      List<JsonObject> handles = snapshotAll(gen0, root, 1);
      for (JsonObject h : handles) {
        assertThat(h.getString("backend")).isEqualTo(kind == Backend.HEAP ? "heap" : "rocksdb");
        assertThat(h.getJsonObject("states").getJsonObject("value").getString("serde"))
            .isEqualTo("eddy.string:1|eddy.long:1");
        assertThat(h.getJsonObject("states").getJsonObject("map").getString("kind")).isEqualTo("map");
        if (kind == Backend.HEAP) {
          assertThat(root.resolve(h.getString("file"))).isRegularFile();
        }
      }
      // change the state after the snapshot: the restores must not see this
      gen0.get(0).setCurrentKey(keyIn(keys, 0, 63));
      states0.get(0).value.update(-1L);

      for (int p : new int[] {1, 3, 2}) {
        List<AbstractKeyedStateBackend> gen1 = create(kind, p, open);
        restoreAll(gen1, handles, root);
        verify(gen1, keys, true);
      }

      // one more generation: 3 -> 2, where the middle one never asks for "map" before its snapshot
      List<AbstractKeyedStateBackend> gen3 = create(kind, 3, open);
      restoreAll(gen3, handles, root);
      List<States> states3 = new ArrayList<>();
      gen3.forEach(b -> states3.add(new States(b, false)));
      Random r = new Random(99);
      for (int i = 0; i < 300; i++) { // some more changes at parallelism 3
        String key = keys.get(r.nextInt(keys.size()));
        int s = KeyGroups.subtaskOf(KeyGroups.keyGroupOf(key, MAX_P), MAX_P, 3);
        gen3.get(s).setCurrentKey(key);
        long v = r.nextInt(100);
        states3.get(s).value.update(v);
        values.put(key, v);
        states3.get(s).list.add("g" + i);
        lists.computeIfAbsent(key, k -> new ArrayList<>()).add("g" + i);
      }
      List<JsonObject> handles3 = snapshotAll(gen3, root, 2);
      List<AbstractKeyedStateBackend> gen4 = create(kind, 2, open);
      restoreAll(gen4, handles3, root);
      verify(gen4, keys, true);
    } finally {
      open.forEach(AbstractKeyedStateBackend::close);
    }
  }

  private List<AbstractKeyedStateBackend> create(Backend kind, int p, List<AbstractKeyedStateBackend> open) {
    List<AbstractKeyedStateBackend> out = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      AbstractKeyedStateBackend b = kind.create(dir.resolve("work"), "counter", MAX_P,
          KeyGroups.rangeStart(i, MAX_P, p), KeyGroups.rangeEnd(i, MAX_P, p));
      out.add(b);
      open.add(b);
    }
    return out;
  }

  /** Random operations on random keys, each on the backend owning its key group. */
  private List<String> fill(List<AbstractKeyedStateBackend> backends, List<States> states, int p) {
    Random r = new Random(7);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      keys.add("key-" + Long.toHexString(r.nextLong()));
    }
    for (int i = 0; i < 6000; i++) {
      String key = keys.get(r.nextInt(keys.size()));
      int s = KeyGroups.subtaskOf(KeyGroups.keyGroupOf(key, MAX_P), MAX_P, p);
      backends.get(s).setCurrentKey(key);
      States st = states.get(s);
      switch (r.nextInt(7)) {
        case 0 -> {
          long v = r.nextLong();
          st.value.update(v);
          values.put(key, v);
        }
        case 1 -> {
          st.list.add("e" + i);
          lists.computeIfAbsent(key, k -> new ArrayList<>()).add("e" + i);
        }
        case 2 -> {
          int mk = r.nextInt(8);
          String v = r.nextInt(6) == 0 ? null : "m" + i;
          st.map.put(mk, v);
          maps.computeIfAbsent(key, k -> new HashMap<>()).put(mk, v);
        }
        case 3 -> {
          long v = r.nextInt(1000);
          st.sum.add(v);
          sums.merge(key, v, Long::sum);
        }
        case 4 -> {
          int v = r.nextInt(1000);
          st.avg.add(v);
          long[] sc = avgs.computeIfAbsent(key, k -> new long[2]);
          sc[0] += v;
          sc[1]++;
        }
        case 5 -> {
          if (r.nextInt(4) == 0) {
            st.value.clear();
            values.remove(key);
            st.map.clear();
            maps.remove(key);
          }
        }
        default -> {
          int mk = r.nextInt(8);
          st.map.remove(mk);
          Map<Integer, String> m = maps.get(key);
          if (m != null) {
            m.remove(mk);
          }
        }
      }
    }
    return keys;
  }

  private static String keyIn(List<String> keys, int first, int last) {
    for (String k : keys) {
      int kg = KeyGroups.keyGroupOf(k, MAX_P);
      if (kg >= first && kg <= last) {
        return k;
      }
    }
    throw new AssertionError("no key in " + first + ".." + last);
  }

  private static List<JsonObject> snapshotAll(List<AbstractKeyedStateBackend> backends, Path root, long id)
      throws Exception {
    // all synchronous parts first, then the asynchronous ones, as at a checkpoint barrier
    List<KeyedStateBackend.AsyncSnapshot> parts = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      parts.add(backends.get(i).snapshot(Target.of(root, id, "0-" + i)));
    }
    List<JsonObject> handles = new ArrayList<>();
    for (KeyedStateBackend.AsyncSnapshot part : parts) {
      handles.add(part.write());
    }
    return handles;
  }

  /** Restores each backend from the handles whose key groups intersect its range, as the runtime does. */
  private static void restoreAll(List<AbstractKeyedStateBackend> backends, List<JsonObject> handles, Path root)
      throws Exception {
    for (AbstractKeyedStateBackend b : backends) {
      List<JsonObject> mine = new ArrayList<>();
      for (JsonObject h : handles) {
        JsonArray kg = h.getJsonArray("keyGroups");
        if (kg.getInteger(0) <= b.lastKeyGroup() && kg.getInteger(1) >= b.firstKeyGroup()) {
          mine.add(h);
        }
      }
      b.restore(mine, root);
    }
  }

  private void verify(List<AbstractKeyedStateBackend> backends, List<String> keys, boolean withMap) {
    int checked = 0;
    for (AbstractKeyedStateBackend b : backends) {
      States st = new States(b, withMap);
      Set<String> expectedKeys = new HashSet<>();
      for (String key : keys) {
        int kg = KeyGroups.keyGroupOf(key, MAX_P);
        if (kg < b.firstKeyGroup() || kg > b.lastKeyGroup()) {
          continue;
        }
        b.setCurrentKey(key);
        checked++;
        assertThat(st.value.value()).as("value of %s", key).isEqualTo(values.get(key));
        List<String> l = new ArrayList<>();
        st.list.get().forEach(l::add);
        assertThat(l).as("list of %s", key).containsExactlyElementsOf(lists.getOrDefault(key, List.of()));
        Map<Integer, String> m = new HashMap<>();
        st.map.entries().forEach(e -> m.put(e.getKey(), e.getValue()));
        assertThat(m).as("map of %s", key).isEqualTo(maps.getOrDefault(key, Map.of()));
        assertThat(st.sum.get()).as("sum of %s", key).isEqualTo(sums.get(key));
        long[] sc = avgs.get(key);
        assertThat(st.avg.get()).as("avg of %s", key).isEqualTo(sc == null ? null : (double) sc[0] / sc[1]);
        if (values.containsKey(key) || lists.containsKey(key) || sums.containsKey(key) || avgs.containsKey(key)
            || (maps.containsKey(key) && !maps.get(key).isEmpty())) {
          expectedKeys.add(key);
        }
      }
      // nothing outside the range, and nothing but the oracle's keys
      if (b instanceof HeapKeyedStateBackend h) {
        Set<Object> held = h.keys();
        for (Object k : held) {
          int kg = KeyGroups.keyGroupOf(k, MAX_P);
          assertThat(kg).as("key group of held key %s", k).isBetween(b.firstKeyGroup(), b.lastKeyGroup());
        }
        assertThat(held).as("keys held").isEqualTo(new HashSet<Object>(expectedKeys));
      } else {
        RocksDbKeyedStateBackend rb = (RocksDbKeyedStateBackend) b;
        for (int kg : rb.storedKeyGroups()) {
          assertThat(kg).as("stored key group").isBetween(b.firstKeyGroup(), b.lastKeyGroup());
        }
        long withValue = expectedKeys.stream().filter(values::containsKey).count();
        assertThat(rb.rawEntryCount("value")).isEqualTo(withValue);
      }
    }
    assertThat(checked).as("keys checked over all backends").isEqualTo(keys.size());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void emptyBackendsSnapshotAndRestore(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    try (AbstractKeyedStateBackend b = kind.create(dir, "empty", MAX_P, 0, 127)) {
      b.getState(new ValueStateDescriptor<>("v", Long.class));
      JsonObject h = StateTestSupport.snapshot(b, Target.of(root, 1, "0-0"));
      try (AbstractKeyedStateBackend r = kind.create(dir, "empty", MAX_P, 0, 63)) {
        r.restore(List.of(h), root);
        ValueState<Long> v = r.getState(new ValueStateDescriptor<>("v", Long.class));
        r.setCurrentKey(keyIn(List.of("a", "b", "c", "d", "e", "f", "g", "h"), 0, 63));
        assertThat(v.value()).isNull();
      }
    }
    assertThat(Files.exists(root)).isTrue();
  }
}
