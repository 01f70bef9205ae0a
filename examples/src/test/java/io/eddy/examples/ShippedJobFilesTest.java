package io.eddy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.graph.JobDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every job file in {@code conf/jobs} is valid, names a job class of the bundle, and plans. */
class ShippedJobFilesTest {
  @Test
  void everyShippedJobFileLoadsAndPlans() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(ExampleRuns.root().resolve("conf/jobs"))) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString())
        .contains("wordcount.json", "q5-exactly-once.json", "q5-adaptive.json");
    for (Path f : files) {
      JobConfig config = JobConfig.load(f);
      JobDefinition job = JobDefinition.load(config, getClass().getClassLoader());
      assertThat(job.instantiate().plan().vertices()).as("%s plans", f).isNotEmpty();
    }
  }
}
