package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.testing.CliOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real bundle, {@code java -jar examples/target/eddy-examples.jar}, started as a process from
 * the repository root (run by failsafe after {@code package}).
 */
@Timeout(300)
class BundleProcessIT {
  private static final long PROCESS_TIMEOUT_SECONDS = 120;
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{Nd}]+");

  private static Path bundle;
  private static Path root;

  @TempDir Path dir;

  @BeforeAll
  static void locateBundle() {
    String b = System.getProperty("eddy.bundle");
    String r = System.getProperty("eddy.root");
    assertThat(b).as("system property eddy.bundle (set by failsafe)").isNotBlank();
    assertThat(r).as("system property eddy.root (set by failsafe)").isNotBlank();
    bundle = Path.of(b);
    root = Path.of(r);
    assertThat(bundle).isRegularFile();
    assertThat(root.resolve("conf/jobs/wordcount.json")).isRegularFile();
  }

  /** Runs the bundle with {@code args} in the repository root; the process never outlives the call. */
  private CliOutcome runBundle(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-jar");
    command.add(bundle.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    try {
      boolean exited = p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(exited).as("bundle exited within %d s: %s", PROCESS_TIMEOUT_SECONDS, command).isTrue();
      return new CliOutcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void wordCountJobFromConfProducesTheOracleCountsOfTheSample() throws Exception {
    Path output = dir.resolve("wordcount-out");

    CliOutcome o = runBundle("run", "conf/jobs/wordcount.json", "--param", "output=" + output);

    assertThat(o.exitCode()).as("stderr: %s", o.err()).isZero();
    assertThat(o.out()).contains("job wordcount finished");
    assertThat(o.out()).as("no progress line when the output is not a terminal").doesNotContain("records read");
    Map<String, Long> oracle = new HashMap<>();
    for (String line : Files.readAllLines(root.resolve("examples/data/sample.txt"), StandardCharsets.UTF_8)) {
      for (String w : NON_WORD.split(line)) {
        if (!w.isEmpty()) {
          oracle.merge(w.toLowerCase(Locale.ROOT), 1L, Long::sum);
        }
      }
    }
    assertThat(oracle).containsKeys("the", "élan", "42"); // the sample is what this test expects
    Map<String, Long> counts = new HashMap<>();
    List<String> repeated = new ArrayList<>();
    List<Path> parts;
    try (Stream<Path> s = Files.list(output)) {
      parts = s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList();
    }
    assertThat(parts).hasSize(2); // the job file's parallelism
    for (Path part : parts) {
      for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
        int space = line.lastIndexOf(' ');
        assertThat(space).as("line '%s'", line).isPositive();
        if (counts.put(line.substring(0, space), Long.parseLong(line.substring(space + 1))) != null) {
          repeated.add(line);
        }
      }
    }
    assertThat(repeated).as("words on more than one line").isEmpty();
    assertThat(counts).isEqualTo(oracle);
  }

  @Test
  void benchQ1StatelessPrintsTheReferenceOutputsAndChecksumLast() throws Exception {
    CliOutcome o = runBundle("bench", "q1-stateless", "--events", "200000", "--parallelism", "2");

    assertThat(o.exitCode()).as("stderr: %s", o.err()).isZero();
    List<String> lines = o.outLines();
    assertThat(lines).isNotEmpty();
    String last = lines.get(lines.size() - 1);
    assertThat(last).startsWith("workload=q1-stateless events=200000 seconds=")
        .contains(" events_per_s=")
        .endsWith(" outputs=12689 checksum=56306800");
  }

  @Test
  void missingJobFileExitsTwoWithOneLineNamingIt() throws Exception {
    runBundle("run", "conf/jobs/no-such-job.json")
        .assertOneLineError(Main.EXIT_BAD_INPUT, "conf/jobs/no-such-job.json");
  }

  @Test
  void wrongTypeInAJobFileExitsTwoWithOneLineNamingFileAndKey() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"job\": \"io.eddy.examples.WordCount\", \"parallelism\": \"two\"}");
    runBundle("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'parallelism'");
  }

  @Test
  void nonIntegerEventsParamExitsTwoWithOneLineNamingIt() throws Exception {
    Path f = dir.resolve("q1.json");
    Files.writeString(f, "{\"job\": \"io.eddy.examples.bench.Q1Stateless\"}");
    runBundle("run", f.toString(), "--param", "events=abc")
        .assertOneLineError(Main.EXIT_BAD_INPUT, "'events'", "abc");
  }

  @Test
  void missingInputPathExitsOneWithOneLineNamingIt() throws Exception {
    Path missing = dir.resolve("nothing-here.txt");
    runBundle("run", "conf/jobs/wordcount.json", "--param", "input=" + missing,
        "--param", "output=" + dir.resolve("out"))
        .assertOneLineError(Main.EXIT_JOB_FAILED, missing.toString());
  }

  @Test
  void helpOfRunAndBenchExitsZero() throws Exception {
    CliOutcome run = runBundle("run", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage:").contains("JOB_JSON");
    CliOutcome bench = runBundle("bench", "--help");
    assertThat(bench.exitCode()).isZero();
    assertThat(bench.out()).contains("Usage:").contains("q1-stateless");
  }
}
