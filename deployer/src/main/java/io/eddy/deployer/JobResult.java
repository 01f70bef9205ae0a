package io.eddy.deployer;

import java.util.Map;

/**
 * How a job ended: its final status, the first error (with the operator's name) if it failed, how
 * long it ran (from the start signal to the last task's report), and its metrics: counters summed
 * over subtasks, except high-water marks ({@code max...}), which take the maximum.
 */
public record JobResult(
    String jobId,
    String name,
    JobStatus status,
    String error,
    long runNanos,
    Map<String, Long> metrics) {

  public long metric(String name) {
    return metrics.getOrDefault(name, 0L);
  }

  public double runSeconds() {
    return runNanos / 1e9;
  }
}
