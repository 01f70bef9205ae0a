package io.eddy.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the multi-JVM tests: a fresh {@link ClusterProcesses} per test, whose processes it kills afterwards. */
abstract class ClusterProcessTest {
  @TempDir Path dir;
  ClusterProcesses cluster;

  @BeforeEach
  void createCluster() throws Exception {
    cluster = new ClusterProcesses(dir);
  }

  @AfterEach
  void closeCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }
}
