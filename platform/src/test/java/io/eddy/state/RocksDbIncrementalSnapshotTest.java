package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.serde.SerdeRegistry;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB snapshots upload each SST file once and stay restorable while they reference shared files. */
class RocksDbIncrementalSnapshotTest {
  @TempDir
  Path dir;

  private RocksDbKeyedStateBackend backend() {
    return new RocksDbKeyedStateBackend(dir.resolve("work"), "inc", 128, 0, 127, SerdeRegistry.withBuiltIns(),
        new RocksDbKeyedStateBackend.Config(8, 2));
  }

  private static Set<String> shared(JsonObject handle) {
    Set<String> s = new HashSet<>();
    handle.getJsonArray("shared").forEach(p -> s.add((String) p));
    return s;
  }

  private static void verify(RocksDbKeyedStateBackend b, Map<String, Long> oracle, Map<String, List<String>> lists) {
    ValueState<Long> v = b.getState(new ValueStateDescriptor<>("v", Long.class));
    ListState<String> l = b.getListState(new ListStateDescriptor<>("l", String.class));
    for (int i = 0; i < 500; i++) {
      String key = "key" + i;
      b.setCurrentKey(key);
      assertThat(v.value()).as(key).isEqualTo(oracle.get(key));
      List<String> got = new ArrayList<>();
      l.get().forEach(got::add);
      assertThat(got).as(key).isEqualTo(lists.getOrDefault(key, List.of()));
    }
  }

  @Test
  void unchangedStateUploadsNothingAndChangesUploadOnlyNewFiles() throws Exception {
    Path root = dir.resolve("checkpoints");
    Path sharedDir = root.resolve("shared");
    Map<String, Long> oracle = new HashMap<>();
    Map<String, List<String>> lists = new HashMap<>();
    Map<String, Long> oracleAt2;
    Map<String, List<String>> listsAt2;
    JsonObject h1;
    JsonObject h2;
    JsonObject h3;
    try (RocksDbKeyedStateBackend b = backend()) {
      ValueState<Long> v = b.getState(new ValueStateDescriptor<>("v", Long.class));
      ListState<String> l = b.getListState(new ListStateDescriptor<>("l", String.class));
      for (int i = 0; i < 500; i++) {
        b.setCurrentKey("key" + i);
        v.update((long) i);
        oracle.put("key" + i, (long) i);
        l.add("a" + i);
        lists.computeIfAbsent("key" + i, k -> new ArrayList<>()).add("a" + i);
      }
      h1 = StateTestSupport.snapshot(b, Target.of(root, 1, "0-0"));
      long afterFirst = StateTestSupport.fileCount(sharedDir);
      assertThat(afterFirst).as("SST files uploaded by the first snapshot").isGreaterThanOrEqualTo(2);
      assertThat(shared(h1)).hasSize((int) afterFirst);
      assertThat(h1.getJsonArray("private")).isNotEmpty();

      h2 = StateTestSupport.snapshot(b, Target.of(root, 2, "0-0"));
      assertThat(StateTestSupport.fileCount(sharedDir)).as("shared files after an unchanged snapshot")
          .isEqualTo(afterFirst);
      assertThat(shared(h2)).isEqualTo(shared(h1));
      oracleAt2 = new HashMap<>(oracle);
      listsAt2 = new HashMap<>();
      lists.forEach((k, vs) -> listsAt2.put(k, new ArrayList<>(vs)));

      for (int i = 0; i < 50; i++) {
        b.setCurrentKey("key" + i);
        v.update(1000L + i);
        oracle.put("key" + i, 1000L + i);
        l.add("b" + i);
        lists.get("key" + i).add("b" + i);
      }
      h3 = StateTestSupport.snapshot(b, Target.of(root, 3, "0-0"));
      Set<String> added = new HashSet<>(shared(h3));
      added.removeAll(shared(h2));
      Set<String> kept = new HashSet<>(shared(h3));
      kept.retainAll(shared(h2));
      assertThat(added).as("SST files new in the third snapshot").isNotEmpty();
      assertThat(kept).as("SST files the third snapshot reuses").isNotEmpty();
      assertThat(StateTestSupport.fileCount(sharedDir)).as("only the new SST files were uploaded")
          .isEqualTo(afterFirst + added.size());
      for (String p : shared(h3)) {
        assertThat(root.resolve(p)).isRegularFile();
      }
    }
    // the working directory is gone after close
    assertThat(StateTestSupport.fileCount(dir.resolve("work"))).isZero();

    // the first checkpoint's private files go away (retention): the second still restores
    AbstractKeyedStateBackend.deleteTree(root.resolve("chk-1"));
    try (RocksDbKeyedStateBackend r = backend()) {
      r.restore(List.of(h2), root);
      verify(r, oracleAt2, listsAt2);
    }
    // the third, with the second gone too
    AbstractKeyedStateBackend.deleteTree(root.resolve("chk-2"));
    try (RocksDbKeyedStateBackend r = backend()) {
      r.restore(List.of(h3), root);
      verify(r, oracle, lists);
      // restored files count as uploaded: an unchanged snapshot after the restore uploads nothing
      long before = StateTestSupport.fileCount(sharedDir);
      JsonObject h4 = StateTestSupport.snapshot(r, Target.of(root, 4, "0-0"));
      assertThat(StateTestSupport.fileCount(sharedDir)).isEqualTo(before);
      assertThat(shared(h4)).isEqualTo(shared(h3));
    }
  }

  @Test
  void handleNamesItsFilesRelativeToTheCheckpointRoot() throws Exception {
    Path root = dir.resolve("checkpoints");
    try (RocksDbKeyedStateBackend b = backend()) {
      ValueState<Long> v = b.getState(new ValueStateDescriptor<>("v", Long.class));
      b.setCurrentKey("x");
      v.update(1L);
      JsonObject h = StateTestSupport.snapshot(b, Target.of(root, 7, "3-1"));
      assertThat(h.getString("backend")).isEqualTo("rocksdb");
      assertThat(h.getJsonArray("keyGroups")).isEqualTo(new JsonArray().add(0).add(127));
      assertThat(h.getJsonObject("states").getJsonObject("v").getString("serde")).isEqualTo("eddy.string:1|eddy.long:1");
      for (Object p : h.getJsonArray("shared")) {
        assertThat((String) p).startsWith("shared/").endsWith(".sst");
        assertThat(root.resolve((String) p)).isRegularFile();
      }
      List<String> privateNames = new ArrayList<>();
      for (Object p : h.getJsonArray("private")) {
        assertThat((String) p).startsWith("chk-7/3-1/");
        assertThat(Files.isRegularFile(root.resolve((String) p))).isTrue();
        privateNames.add(Path.of((String) p).getFileName().toString());
      }
      assertThat(privateNames).anyMatch(n -> n.startsWith("MANIFEST-")).contains("CURRENT")
          .anyMatch(n -> n.startsWith("OPTIONS-"));
    }
  }
}
