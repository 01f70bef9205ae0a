package io.eddy.examples;

import io.eddy.config.JobConfig;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs example jobs in this JVM and reads what they wrote; shared by the example tests. */
final class ExampleRuns {
  private ExampleRuns() {}

  /** The repository root: the system property {@code eddy.root}, else the parent of the module. */
  static Path root() {
    String root = System.getProperty("eddy.root");
    return root != null ? Path.of(root) : Path.of("..");
  }

  /** Loads {@code conf/jobs/<name>} of the repository. */
  static JobConfig jobFile(String name) {
    return JobConfig.load(root().resolve("conf/jobs").resolve(name));
  }

  /** Runs the job on a fresh Vert.x instance, waiting at most 60 s, and closes the instance. */
  static JobResult run(JobConfig config) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JobDefinition job = JobDefinition.load(config, ExampleRuns.class.getClassLoader());
      return new JobCoordinator(vertx, job).run()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The lines of every {@code part-*} file of {@code dir}, by file name. */
  static Map<String, List<String>> parts(Path dir) throws IOException {
    Map<String, List<String>> parts = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return parts;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("part-")) {
          parts.put(name, Files.readAllLines(f, StandardCharsets.UTF_8));
        }
      }
    }
    return parts;
  }

  /** The lines of every {@code part-*} file of {@code dir}, together. */
  static List<String> allLines(Path dir) throws IOException {
    List<String> all = new ArrayList<>();
    parts(dir).values().forEach(all::addAll);
    return all;
  }
}
