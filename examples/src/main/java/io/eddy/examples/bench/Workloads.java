package io.eddy.examples.bench;

import io.eddy.api.StreamJob;
import io.eddy.cli.BenchWorkload;
import io.eddy.connectors.counting.ChecksumSink;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The workloads of bench/WORKLOADS.md, registered for the {@code bench} command. */
public final class Workloads {
  private Workloads() {}

  /** A workload whose sink, named "sink", is a {@link ChecksumSink}. */
  abstract static class ChecksumWorkload implements BenchWorkload {
    private final String name;
    private final Supplier<StreamJob> job;

    ChecksumWorkload(String name, Supplier<StreamJob> job) {
      this.name = name;
      this.job = job;
    }

    public String name() {
      return name;
    }

    public StreamJob job() {
      return job.get();
    }

    public String outputsMetric() {
      return "sink." + ChecksumSink.OUTPUTS;
    }

    public String checksumMetric() {
      return "sink." + ChecksumSink.CHECKSUM;
    }
  }

  /** {@code q1-stateless}. */
  public static final class Q1 extends ChecksumWorkload {
    public Q1() {
      super("q1-stateless", Q1Stateless::new);
    }
  }

  /** {@code q5-window-heap}. */
  public static final class Q5Heap extends ChecksumWorkload {
    public Q5Heap() {
      super("q5-window-heap", Q5Window::new);
    }
  }

  /**
   * {@code q5-window-rocksdb-ckpt}: q5 on the RocksDB state backend with exactly-once checkpoints
   * every second into a scratch directory.
   */
  public static final class Q5RocksDbCheckpoints extends ChecksumWorkload {
    public Q5RocksDbCheckpoints() {
      super("q5-window-rocksdb-ckpt", Q5Window::new);
    }

    @Override
    public JsonObject settings(Path scratch) {
      return new JsonObject()
          .put("stateBackend", "rocksdb")
          .put("checkpoints", new JsonObject()
              .put("intervalMillis", 1000)
              .put("mode", "exactly-once")
              .put("directory", scratch.resolve("checkpoints").toString()));
    }
  }
}
