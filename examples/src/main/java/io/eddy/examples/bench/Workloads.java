package io.eddy.examples.bench;

import io.eddy.api.StreamJob;
import io.eddy.cli.BenchWorkload;
import io.eddy.connectors.counting.ChecksumSink;

/** The workloads of bench/WORKLOADS.md, registered for the {@code bench} command. */
public final class Workloads {
  private Workloads() {}

  /** {@code q1-stateless}. */
  public static final class Q1 implements BenchWorkload {
    public String name() {
      return "q1-stateless";
    }

    public StreamJob job() {
      return new Q1Stateless();
    }

    public String outputsMetric() {
      return "sink." + ChecksumSink.OUTPUTS;
    }

    public String checksumMetric() {
      return "sink." + ChecksumSink.CHECKSUM;
    }
  }

  /** {@code q5-window-heap}. */
  public static final class Q5Heap implements BenchWorkload {
    public String name() {
      return "q5-window-heap";
    }

    public StreamJob job() {
      return new Q5Window();
    }

    public String outputsMetric() {
      return "sink." + ChecksumSink.OUTPUTS;
    }

    public String checksumMetric() {
      return "sink." + ChecksumSink.CHECKSUM;
    }
  }

  /**
   * {@code q5-window-rocksdb-ckpt}: q5 on the RocksDB state backend with exactly-once checkpoints
   * every second into a scratch directory.
   */
  public static final class Q5RocksDbCheckpoints implements BenchWorkload {
    public String name() {
      return "q5-window-rocksdb-ckpt";
    }

    public StreamJob job() {
      return new Q5Window();
    }

    public String outputsMetric() {
      return "sink." + ChecksumSink.OUTPUTS;
    }

    public String checksumMetric() {
      return "sink." + ChecksumSink.CHECKSUM;
    }

    @Override
    public io.vertx.core.json.JsonObject settings(java.nio.file.Path scratch) {
      return new io.vertx.core.json.JsonObject()
          .put("stateBackend", "rocksdb")
          .put("checkpoints", new io.vertx.core.json.JsonObject()
              .put("intervalMillis", 1000)
              .put("mode", "exactly-once")
              .put("directory", scratch.resolve("checkpoints").toString()));
    }
  }
}
