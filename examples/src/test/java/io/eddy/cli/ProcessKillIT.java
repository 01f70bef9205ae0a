package io.eddy.cli;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle's q5 exactly-once job ({@code conf/jobs/q5-exactly-once.json}) killed with
 * {@code kill -9} after it has completed a checkpoint and committed a window, then run again with
 * {@code --from-checkpoint latest}: no committed file is ever partial, and once the second run has
 * finished the committed output is the plain-loop oracle exactly (run by failsafe after
 * {@code package}).
 */
@Timeout(300)
class ProcessKillIT {
  private static final long EVENTS = 600_000; // six 10 s windows of event time
  private static final long RATE = 150_000; // 4 s
  private static final long START_WAIT_SECONDS = 90;
  private static final long RUN_WAIT_SECONDS = 120;
  private static final Pattern LINE = Pattern.compile("\\d+ \\d+ \\d+ \\d+");

  private static Path bundle;
  private static Path root;

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void locateBundle() {
    String b = System.getProperty("eddy.bundle");
    String r = System.getProperty("eddy.root");
    assertThat(b).as("system property eddy.bundle (set by failsafe)").isNotBlank();
    assertThat(r).as("system property eddy.root (set by failsafe)").isNotBlank();
    bundle = Path.of(b);
    root = Path.of(r);
    assertThat(bundle).isRegularFile();
    assertThat(root.resolve("conf/jobs/q5-exactly-once.json")).isRegularFile();
  }

  @AfterEach
  void destroyProcesses() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process start(Path job, Path output, String name, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", bundle.toString(),
        "run", job.toString(),
        "--param", "events=" + EVENTS, "--param", "rate=" + RATE, "--param", "output=" + output));
    command.addAll(List.of(extra));
    Process p = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
    started.add(p);
    return p;
  }

  private String output(String name) throws Exception {
    return Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8)
        + Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
  }

  /** Every committed file has complete lines of four numbers; returns them all. */
  private static List<String> checkCommitted(Path output) throws Exception {
    List<String> lines = Checkpointing.committedLines(output);
    for (String l : lines) {
      assertThat(l).as("committed line").matches(LINE);
    }
    return lines;
  }

  @Test
  void killedWithSigkillAfterACheckpointAndRestoredFromLatestCommitsExactlyTheOracle() throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    JsonObject json = new JsonObject(Files.readString(root.resolve("conf/jobs/q5-exactly-once.json")));
    String name = json.getString("name");
    json.getJsonObject("checkpoints").put("directory", checkpoints.toString()).put("intervalMillis", 250);
    Path job = Files.writeString(dir.resolve("q5-exactly-once.json"), json.encodePrettily());
    CheckpointStorage storage = Checkpointing.storage(checkpoints, name);
    List<String> oracle = Checkpointing.windowOracle(EVENTS, 10_000, 0);

    Process first = start(job, output, "first");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_WAIT_SECONDS);
    // at least one whole 10 s window committed (the first bids, up to 49 ms early, make a tiny one before)
    while (storage.latest().isEmpty() || Checkpointing.committedLines(output).size() < 5_000) {
      assertThat(first.isAlive()).as("first run still running (it printed: %s)", output("first")).isTrue();
      assertThat(System.nanoTime()).as("a checkpoint and a committed window within %d s", START_WAIT_SECONDS)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(first.isAlive()).isTrue();
    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("killed process gone").isTrue();
    assertThat(first.isAlive()).isFalse();
    assertThat(first.exitValue()).as("exit status of a process killed by SIGKILL").isEqualTo(128 + 9);
    assertThat(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive)).as("pid %d", first.pid())
        .isNotEqualTo(java.util.Optional.of(true));

    List<String> beforeRestore = checkCommitted(output);
    assertThat(beforeRestore.size()).as("committed before the kill: some, not all").isPositive()
        .isLessThan(oracle.size());
    long restoredFrom = storage.latest().orElseThrow();

    Process second = start(job, output, "second", "--from-checkpoint", "latest");
    assertThat(second.waitFor(RUN_WAIT_SECONDS, TimeUnit.SECONDS)).as("second run done within %d s", RUN_WAIT_SECONDS)
        .isTrue();

    String printed = output("second");
    assertThat(second.exitValue()).as("second run: %s", printed).isZero();
    assertThat(printed).contains("job " + name + " finished").contains("restoring checkpoint " + restoredFrom);
    assertSameMultiset(checkCommitted(output), oracle);
    System.out.printf("killed after chk-%d with %d of %d lines committed; %d hidden files of the killed run left%n",
        restoredFrom, beforeRestore.size(), oracle.size(), Checkpointing.uncommittedFiles(output).size());
  }
}
