package io.eddy.api;

import io.eddy.config.JobParams;

/**
 * A user's job: describes its dataflow on the {@link Pipeline} it is given.
 *
 * <p>{@link #build} is called once per subtask (and once more for planning) on every node that
 * runs part of the job, so it must be deterministic for equal parameters: the same sources,
 * operators and edges in the same order. It must not start any work itself; it only describes.
 * Because every subtask builds its own graph, user functions are never serialized or shared across
 * subtasks. Implementations need a public no-argument constructor so that a node can instantiate
 * them from the class name in the job's JSON.
 */
@FunctionalInterface
public interface StreamJob {
  void build(Pipeline pipeline, JobParams params) throws Exception;
}
