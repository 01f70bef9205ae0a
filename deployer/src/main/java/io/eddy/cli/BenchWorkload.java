package io.eddy.cli;

import io.eddy.api.StreamJob;

/**
 * A benchmark the {@code bench} command can run (see docs/bench/WORKLOADS.md). Found with
 * {@link java.util.ServiceLoader}, so the bundle that packages the jobs registers them in
 * {@code META-INF/services/io.eddy.cli.BenchWorkload}. The job reads its size from the job
 * parameters {@code events}; its sink counts outputs and sums their checksum into the two metrics
 * named here (a wrapping sum over all subtasks).
 */
public interface BenchWorkload {
  String name();

  StreamJob job();

  /** The metric counting the job's outputs. */
  String outputsMetric();

  /** The metric holding the wrapping sum of the outputs' checksums. */
  String checksumMetric();

  /**
   * Job settings the workload adds to the bench job's JSON (state backend, checkpoints), given a
   * scratch directory the bench command deletes afterwards.
   */
  default io.vertx.core.json.JsonObject settings(java.nio.file.Path scratch) {
    return new io.vertx.core.json.JsonObject();
  }
}
