package io.eddy.graph;

import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.config.ConfigException;
import io.eddy.config.JobConfig;

/**
 * A job as submitted: its configuration and the {@link StreamJob} that describes it. Every call of
 * {@link #instantiate()} builds a fresh graph with fresh user-function instances, which is how
 * each subtask gets functions of its own.
 */
public record JobDefinition(JobConfig config, StreamJob job) {

  /**
   * Loads the job class named by the configuration's {@code job} key, checks that it is a {@link StreamJob} before
   * it is initialized, and instantiates it.
   */
  public static JobDefinition load(JobConfig config, ClassLoader loader) {
    String name = config.jobClass();
    Class<?> c;
    try {
      // not initialized: a class that is no StreamJob must not get to run its static initializer
      c = Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ConfigException(config.source() + ": key 'job': class '" + name + "' not found");
    }
    if (!StreamJob.class.isAssignableFrom(c)) {
      throw new ConfigException(
          config.source() + ": key 'job': class '" + name + "' does not implement " + StreamJob.class.getName());
    }
    try {
      return new JobDefinition(config, (StreamJob) c.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(
          config.source() + ": key 'job': cannot instantiate '" + name
              + "' (it needs a public no-argument constructor): " + e);
    }
  }

  /** Builds the job's graph and plans it. Throws what the job's {@code build} throws. */
  public Instance instantiate() {
    Pipeline pipeline = new Pipeline();
    try {
      job.build(pipeline, config.params());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("job '" + config.name() + "' failed to build: " + e, e);
    }
    ExecutionPlan plan =
        ExecutionPlan.of(
            pipeline.graph(), config.parallelism(), config.maxParallelism(), config.chaining());
    // before any frame or snapshot is read: the classes the plan's types name are all this task accepts
    plan.carriedTypes().forEach(pipeline.serdes()::allow);
    return new Instance(pipeline, plan);
  }

  /** One built copy of the job: the pipeline (with its serdes) and its plan. */
  public record Instance(Pipeline pipeline, ExecutionPlan plan) {}
}
