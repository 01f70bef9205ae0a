package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.testing.CliOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line, run in this JVM: bad input exits 2 and a failed job 1, each with one line on
 * stderr that names the problem, and never a stack trace; help exits 0.
 */
@Timeout(120)
class CliBadInputTest {
  @TempDir Path dir;

  /** Runs {@link Main#execute} with System.out and System.err captured. */
  static synchronized CliOutcome execute(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.execute(args);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new CliOutcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path jobFile(String name, String json) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, json, StandardCharsets.UTF_8);
    return f;
  }

  private Path wordCountJob() throws IOException {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "a b a\n");
    return jobFile("wc.json", """
        {"job": "io.eddy.examples.WordCount", "parallelism": 2,
         "params": {"input": "%s", "output": "%s"}}
        """.formatted(json(input), json(dir.resolve("out"))));
  }

  private static String json(Path p) {
    return p.toString().replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Test
  void missingJobFileExitsTwoNamingTheFile() {
    Path missing = dir.resolve("no-such-job.json");
    execute("run", missing.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, missing.toString());
  }

  @Test
  void jobFileThatIsNotJsonExitsTwoNamingTheFile() throws IOException {
    Path f = jobFile("broken.json", "{\"job\": \"io.eddy.examples.WordCount\",\n  \"parallelism\": \n");
    execute("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "not valid JSON");
  }

  @Test
  void unknownKeyExitsTwoNamingFileAndKey() throws IOException {
    Path f = jobFile("typo.json", "{\"job\": \"io.eddy.examples.WordCount\", \"paralelism\": 2}");
    execute("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'paralelism'");
  }

  @Test
  void unknownNestedKeyExitsTwoNamingTheKeyPath() throws IOException {
    Path f = jobFile("nested.json", "{\"job\": \"io.eddy.examples.WordCount\", \"frame\": {\"credit\": 2}}");
    execute("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'frame.credit'");
  }

  @Test
  void missingRequiredJobKeyExitsTwoNamingFileAndKey() throws IOException {
    Path f = jobFile("nojob.json", "{\"parallelism\": 2}");
    execute("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'job'");
  }

  @Test
  void wrongTypeExitsTwoNamingFileKeyAndValue() throws IOException {
    Path f = jobFile("type.json", "{\"job\": \"io.eddy.examples.WordCount\", \"parallelism\": \"two\"}");
    execute("run", f.toString())
        .assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'parallelism'", "\"two\"");
  }

  @Test
  void unknownJobClassExitsTwoNamingFileAndClass() throws IOException {
    Path f = jobFile("class.json", "{\"job\": \"io.eddy.examples.NoSuchJob\"}");
    execute("run", f.toString())
        .assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "'job'", "io.eddy.examples.NoSuchJob");
  }

  @Test
  void jobClassThatIsNotAStreamJobExitsTwo() throws IOException {
    Path f = jobFile("notjob.json", "{\"job\": \"java.lang.String\"}");
    execute("run", f.toString()).assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "java.lang.String");
  }

  @Test
  void paramWithoutEqualsSignExitsTwoNamingTheParam() throws IOException {
    Path f = wordCountJob();
    execute("run", f.toString(), "--param", "inputfile")
        .assertOneLineError(Main.EXIT_BAD_INPUT, "--param", "'inputfile'", "key=value");
  }

  @Test
  void nonIntegerEventsParamOfABenchJobExitsTwoNamingTheParamAndValue() throws IOException {
    Path f = jobFile("q1.json", "{\"job\": \"io.eddy.examples.bench.Q1Stateless\", \"params\": {\"events\": 1000}}");
    execute("run", f.toString(), "--param", "events=abc")
        .assertOneLineError(Main.EXIT_BAD_INPUT, "'events'", "abc");
  }

  @Test
  void parallelismOverrideOutOfRangeExitsTwo() throws IOException {
    Path f = wordCountJob();
    execute("run", f.toString(), "--parallelism", "0")
        .assertOneLineError(Main.EXIT_BAD_INPUT, f.toString(), "parallelism");
  }

  @Test
  void missingInputPathIsAJobFailureExitingOneNamingThePath() throws IOException {
    Path f = wordCountJob();
    Path missing = dir.resolve("missing-input");
    execute("run", f.toString(), "--param", "input=" + missing)
        .assertOneLineError(Main.EXIT_JOB_FAILED, missing.toString());
  }

  @Test
  void runOfAValidJobExitsZeroAndWritesItsOutput() throws IOException {
    Path f = wordCountJob();
    CliOutcome o = execute("run", f.toString());
    assertThat(o.exitCode()).as("stderr: %s", o.err()).isEqualTo(Main.EXIT_OK);
    assertThat(o.out()).contains("finished");
    assertThat(Files.readAllLines(dir.resolve("out/part-0")).size()
        + Files.readAllLines(dir.resolve("out/part-1")).size()).isEqualTo(2);
  }

  @Test
  void unknownBenchWorkloadExitsTwoNamingIt() {
    execute("bench", "q99-nonsense", "--events", "10")
        .assertOneLineError(Main.EXIT_BAD_INPUT, "q99-nonsense", "q1-stateless");
  }

  @Test
  void unknownCommandLineOptionExitsTwo() {
    CliOutcome o = execute("run", "--no-such-option", "x.json");
    assertThat(o.exitCode()).isEqualTo(Main.EXIT_BAD_INPUT);
    assertThat(o.err()).contains("--no-such-option");
    o.assertNoStackTrace();
  }

  @Test
  void runHelpExitsZeroAndDescribesTheCommand() {
    CliOutcome o = execute("run", "--help");
    assertThat(o.exitCode()).isEqualTo(Main.EXIT_OK);
    assertThat(o.out()).contains("Usage:").contains("run").contains("--param").contains("JOB_JSON");
    assertThat(o.err()).isEmpty();
  }

  @Test
  void benchHelpExitsZeroAndListsTheWorkloads() {
    CliOutcome o = execute("bench", "--help");
    assertThat(o.exitCode()).isEqualTo(Main.EXIT_OK);
    assertThat(o.out()).contains("Usage:").contains("bench").contains("--events").contains("q1-stateless");
    assertThat(o.err()).isEmpty();
  }
}
