package io.eddy.state;

import io.eddy.config.StateSettings;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import java.nio.file.Path;

/** Creates the keyed state backend a job's {@link StateSettings} ask for. */
public final class StateBackends {
  private StateBackends() {}

  /**
   * @param workDir a local directory the RocksDB backend works in (a subdirectory per backend)
   * @param keySerde the serde of the keys, or null to write them with their class
   */
  public static KeyedStateBackend create(StateSettings settings, String operatorName, int maxParallelism,
      int firstKeyGroup, int lastKeyGroup, SerdeRegistry serdes, Path workDir, Serde<?> keySerde) {
    return switch (settings.backend()) {
      case HEAP -> new HeapKeyedStateBackend(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, keySerde);
      case ROCKSDB -> {
        if (workDir == null) {
          throw new IllegalArgumentException("the rocksdb state backend needs a working directory");
        }
        yield new RocksDbKeyedStateBackend(workDir, operatorName, maxParallelism, firstKeyGroup, lastKeyGroup,
            serdes, new RocksDbKeyedStateBackend.Config(settings.blockCacheMb(), settings.writeBufferMb()), keySerde);
      }
    };
  }
}
