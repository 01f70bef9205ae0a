package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateBackendsTest {
  @TempDir
  Path dir;

  private KeyedStateBackend create(JsonObject conf) {
    return StateBackends.create(conf, "op", 128, 0, 63, SerdeRegistry.withBuiltIns(), dir);
  }

  @Test
  void heapByDefaultRocksDbOnRequest() {
    try (KeyedStateBackend b = create(new JsonObject())) {
      assertThat(b).isInstanceOf(HeapKeyedStateBackend.class);
    }
    try (KeyedStateBackend b = create(null)) {
      assertThat(b).isInstanceOf(HeapKeyedStateBackend.class);
    }
    try (KeyedStateBackend b = create(new JsonObject().put("stateBackend", "heap"))) {
      assertThat(b).isInstanceOf(HeapKeyedStateBackend.class);
    }
    try (KeyedStateBackend b = create(new JsonObject().put("stateBackend", "rocksdb")
        .put("rocksdb", new JsonObject().put("blockCacheMb", 8).put("writeBufferMb", 4)))) {
      assertThat(b).isInstanceOf(RocksDbKeyedStateBackend.class);
      assertThat(((RocksDbKeyedStateBackend) b).workingDirectory()).startsWith(dir);
    }
  }

  @Test
  void readsAndChecksTheRocksDbSettings() {
    assertThat(StateBackends.rocksDbConfig(new JsonObject()))
        .isEqualTo(RocksDbKeyedStateBackend.Config.DEFAULTS);
    assertThat(StateBackends.rocksDbConfig(new JsonObject().put("rocksdb", new JsonObject().put("blockCacheMb", 32))))
        .isEqualTo(new RocksDbKeyedStateBackend.Config(32, RocksDbKeyedStateBackend.Config.DEFAULTS.writeBufferMb()));
    assertThatThrownBy(() -> create(new JsonObject().put("stateBackend", "memory")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory");
    assertThatThrownBy(() -> StateBackends.rocksDbConfig(
        new JsonObject().put("rocksdb", new JsonObject().put("blockCache", 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rocksdb.blockCache");
    assertThatThrownBy(() -> StateBackends.rocksDbConfig(
        new JsonObject().put("rocksdb", new JsonObject().put("writeBufferMb", "big"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rocksdb.writeBufferMb");
  }
}
