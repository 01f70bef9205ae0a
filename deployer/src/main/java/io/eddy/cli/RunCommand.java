package io.eddy.cli;

import io.eddy.config.JobConfig;
import io.eddy.config.JobParams;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code run conf/jobs/x.json}: runs a job on one local node until it ends. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Runs a job on a local node and exits when a bounded job ends (0 finished, 1 failed, 2 bad input).")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "JOB_JSON", description = "The job's JSON file, e.g. conf/jobs/wordcount.json.")
  Path jobFile;

  @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Overrides a job parameter; repeatable.")
  List<String> params = List.of();

  @Option(names = "--parallelism", description = "Overrides the job's default parallelism.")
  Integer parallelism;

  @Option(names = {"--from-checkpoint", "--from-savepoint"}, paramLabel = "latest|PATH",
      description = "Restores the job from its latest completed checkpoint (afresh if there is none) or from a checkpoint directory.")
  String fromCheckpoint;

  @Option(names = "--verbose", description = "Prints stack traces with errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    JobConfig config = JobConfig.load(jobFile);
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String p : params) {
      Map.Entry<String, String> kv = JobParams.parseAssignment(p);
      overrides.put(kv.getKey(), kv.getValue());
    }
    config = config.withParams(config.params().withOverrides(overrides));
    if (parallelism != null) {
      config = config.withParallelism(parallelism);
    }
    JobDefinition job = JobDefinition.load(config, Thread.currentThread().getContextClassLoader());
    JobResult r = LocalRun.run(job, fromCheckpoint);
    if (r.status() == JobStatus.FINISHED) {
      System.out.printf("job %s finished in %.3f s%n", r.name(), r.runSeconds());
      return Main.EXIT_OK;
    }
    System.err.println("error: job " + r.name() + " " + r.status().name().toLowerCase() + ": " + r.error());
    return Main.EXIT_JOB_FAILED;
  }
}
