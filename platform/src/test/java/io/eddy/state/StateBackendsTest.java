package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;
import io.eddy.config.StateSettings;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job file's state keys, read into {@link StateSettings} by {@link JobConfig}, choose the backend. */
class StateBackendsTest {
  @TempDir
  Path dir;

  private static StateSettings settingsOf(JsonObject extra) {
    JsonObject json = new JsonObject().put("job", "a.Job").mergeIn(extra);
    return JobConfig.parse(json.encode(), "job.json").state();
  }

  private KeyedStateBackend create(StateSettings settings) {
    return StateBackends.create(settings, "op", 128, 0, 63, SerdeRegistry.withBuiltIns(), dir, null);
  }

  @Test
  void heapByDefaultRocksDbOnRequest() {
    assertThat(settingsOf(new JsonObject())).isEqualTo(StateSettings.DEFAULTS);
    try (KeyedStateBackend b = create(settingsOf(new JsonObject()))) {
      assertThat(b).isInstanceOf(HeapKeyedStateBackend.class);
    }
    try (KeyedStateBackend b = create(settingsOf(new JsonObject().put("stateBackend", "heap")))) {
      assertThat(b).isInstanceOf(HeapKeyedStateBackend.class);
    }
    StateSettings rocks = settingsOf(new JsonObject().put("stateBackend", "rocksdb")
        .put("rocksdb", new JsonObject().put("blockCacheMb", 8).put("writeBufferMb", 4).put("windowCacheEntries", 0)));
    assertThat(rocks).isEqualTo(new StateSettings(StateSettings.Backend.ROCKSDB, 8, 4, 0));
    try (KeyedStateBackend b = create(rocks)) {
      assertThat(b).isInstanceOf(RocksDbKeyedStateBackend.class);
      assertThat(((RocksDbKeyedStateBackend) b).workingDirectory()).startsWith(dir);
    }
  }

  @Test
  void missingRocksDbSettingsTakeTheirDefaultsAndBadOnesAreRefusedByKey() {
    assertThat(settingsOf(new JsonObject().put("rocksdb", new JsonObject().put("blockCacheMb", 32))))
        .isEqualTo(new StateSettings(StateSettings.Backend.HEAP, 32, 16, 100_000));
    assertThatThrownBy(() -> settingsOf(new JsonObject().put("stateBackend", "memory")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("stateBackend").hasMessageContaining("memory");
    assertThatThrownBy(() -> settingsOf(new JsonObject().put("rocksdb", new JsonObject().put("blockCache", 1))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.blockCache");
    assertThatThrownBy(() -> settingsOf(new JsonObject().put("rocksdb", new JsonObject().put("writeBufferMb", "big"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.writeBufferMb");
  }
}
