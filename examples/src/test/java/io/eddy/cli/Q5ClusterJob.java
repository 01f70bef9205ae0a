package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.cli.ClusterProcesses.Node;
import io.eddy.cli.ClusterProcesses.Response;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The bundle's q5 exactly-once job ({@code conf/jobs/q5-exactly-once.json}) submitted over REST to a cluster of
 * {@link ClusterProcesses}: checkpoints every 250 ms into the test's directory, a fixed split count (so a checkpoint
 * restores at any parallelism), and what the tests read back: the job's status, its checkpoints, the committed
 * output and the oracle.
 */
final class Q5ClusterJob {
  static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
  /** Source splits: divisible by 1, 2 and 3, so every parallelism the tests use reads the same number each. */
  static final int SPLITS = 6;
  private static final Pattern LINE = Pattern.compile("\\d+ \\d+ \\d+ \\d+");

  private final ClusterProcesses cluster;
  final long events;
  final String name;
  final Path checkpoints;
  final Path output;
  final JsonObject json;
  private List<String> oracle;
  String id;

  /**
   * @param scaling the job's {@code scaling} object, or null for a fixed parallelism
   */
  Q5ClusterJob(ClusterProcesses cluster, long events, long rate, int parallelism, JsonObject scaling)
      throws IOException {
    this.cluster = cluster;
    this.events = events;
    this.checkpoints = cluster.dir().resolve("checkpoints").toAbsolutePath();
    this.output = cluster.dir().resolve("out").toAbsolutePath();
    json = new JsonObject(Files.readString(cluster.root().resolve("conf/jobs/q5-exactly-once.json")));
    name = json.getString("name");
    json.put("parallelism", parallelism);
    json.getJsonObject("checkpoints").put("directory", checkpoints.toString()).put("intervalMillis", 250);
    json.put("restartStrategy", new JsonObject().put("type", "fixed-delay").put("attempts", 5).put("delayMillis", 500));
    json.put("params", new JsonObject().put("events", events).put("rate", rate).put("output", output.toString())
        .put("splits", SPLITS));
    if (scaling != null) {
      json.put("scaling", scaling);
    }
  }

  /** POSTs the job to {@code via}: it must answer 200 with the job's id. */
  String submit(Node via) throws Exception {
    Response r = cluster.post(via, "/jobs", json.encode());
    assertThat(r.status()).as("POST /jobs on %s: %s\njob: %s", via, r, json.encode()).isEqualTo(200);
    id = r.json().getString("id");
    assertThat(id).as("id in the answer to POST /jobs: %s", r).isNotBlank();
    return id;
  }

  /** {@code GET /jobs/{id}} on {@code via}: the job's status (200 required). */
  JsonObject status(Node via) throws Exception {
    Response r = cluster.get(via, "/jobs/" + id);
    if (r.status() != 200) {
      throw new IOException("GET /jobs/" + id + " on " + via + ": " + r); // polled again: not an assertion
    }
    return r.json();
  }

  /** {@code GET /jobs/{id}/checkpoints} on {@code via}: the recent checkpoints (200 required). */
  JsonObject checkpoints(Node via) throws Exception {
    Response r = cluster.get(via, "/jobs/" + id + "/checkpoints");
    assertThat(r.status()).as("GET /jobs/%s/checkpoints on %s: %s", id, via, r).isEqualTo(200);
    return r.json();
  }

  /** The ids of the completed checkpoints in a {@link #checkpoints} answer, newest first. */
  static List<Long> completedIds(JsonObject checkpoints) {
    return checkpoints.getJsonArray("history").stream().map(o -> (JsonObject) o)
        .filter(c -> "COMPLETED".equals(c.getString("status"))).map(c -> c.getLong("id")).toList();
  }

  /**
   * Waits until the job's status, read from the first of {@code via} that answers, satisfies {@code wanted}; fails
   * at once when the job reaches a terminal state that does not.
   *
   * @return the status that satisfied it
   */
  JsonObject await(List<Node> via, String what, Duration timeout, Predicate<JsonObject> wanted) throws Exception {
    JsonObject[] seen = new JsonObject[1];
    JsonObject[] last = new JsonObject[1];
    try {
      cluster.awaitCondition("job " + id + ": " + what, timeout, () -> {
        JsonObject s = null;
        Exception failure = null;
        for (Node n : via) {
          try {
            s = status(n);
            break;
          } catch (Exception e) {
            failure = e;
          }
        }
        if (s == null) {
          throw failure;
        }
        last[0] = s;
        if (wanted.test(s)) {
          seen[0] = s;
          return true;
        }
        if (TERMINAL.contains(s.getString("state"))) {
          throw new AssertionError("job " + id + " is " + s.getString("state") + " before: " + what + "\nstatus: "
              + s.encodePrettily() + "\n" + cluster.tails());
        }
        return false;
      });
    } catch (AssertionError e) {
      if (last[0] != null && !e.getMessage().contains("status: ")) {
        throw new AssertionError(e.getMessage() + "\nlast status: " + last[0].encode(), e);
      }
      throw e;
    }
    return seen[0];
  }

  /** @return a predicate: RUNNING at {@code parallelism} with every vertex's subtasks on distinct nodes of {@code on} */
  static Predicate<JsonObject> runningSpread(int parallelism, List<Node> on) {
    return s -> "RUNNING".equals(s.getString("state")) && Integer.valueOf(parallelism).equals(s.getInteger("parallelism"))
        && spread(s, parallelism, on);
  }

  /**
   * @return whether every vertex has subtasks 0..p-1 each on a different node, all of them nodes of {@code on},
   *     and the job uses every node of {@code on} when there are p of them
   */
  static boolean spread(JsonObject status, int parallelism, List<Node> on) {
    JsonArray subtasks = status.getJsonArray("subtasks");
    if (subtasks == null || subtasks.isEmpty()) {
      return false;
    }
    Set<String> allowed = new TreeSet<>(on.stream().map(Node::id).toList());
    Map<String, List<JsonObject>> byVertex = new HashMap<>();
    for (Object o : subtasks) {
      JsonObject t = (JsonObject) o;
      byVertex.computeIfAbsent(t.getString("vertex"), v -> new ArrayList<>()).add(t);
    }
    for (List<JsonObject> tasks : byVertex.values()) {
      Set<Integer> indexes = new TreeSet<>();
      Set<String> nodes = new TreeSet<>();
      for (JsonObject t : tasks) {
        indexes.add(t.getInteger("subtask"));
        nodes.add(t.getString("node"));
      }
      if (tasks.size() != parallelism || indexes.size() != parallelism || nodes.size() != parallelism
          || !allowed.containsAll(nodes)) {
        return false;
      }
    }
    return nodes(status).size() == Math.min(parallelism, allowed.size());
  }

  /** @return the distinct node ids of the job's subtasks */
  static Set<String> nodes(JsonObject status) {
    Set<String> nodes = new TreeSet<>();
    JsonArray subtasks = status.getJsonArray("subtasks", new JsonArray());
    for (Object o : subtasks) {
      nodes.add(((JsonObject) o).getString("node"));
    }
    return nodes;
  }

  /** @return the job's {@code attempt}, failing clearly when the status has none */
  static int attempt(JsonObject status) {
    Integer a = status.getInteger("attempt");
    assertThat(a).as("'attempt' in the job status %s", status.encode()).isNotNull();
    return a;
  }

  /** The latest complete checkpoint of the cluster job, under {@code checkpoints/_cluster/<name>}. */
  Optional<Long> latestCheckpoint() {
    try {
      return new CheckpointStorage(checkpoints.resolve(CheckpointStorage.CLUSTER_JOBS).resolve(name)).latest();
    } catch (IOException e) {
      return Optional.empty(); // pruned while listing: polled again
    }
  }

  /** @return the number of lines committed so far (no format check) */
  int committedCount() throws IOException {
    return Checkpointing.committedLines(output).size();
  }

  /** @return the names of the committed part files so far */
  Set<String> committedFileNames() {
    Set<String> names = new TreeSet<>();
    Checkpointing.committedFiles(output).forEach(f -> names.add(f.getFileName().toString()));
    return names;
  }

  /** Every committed file has complete lines of four numbers; returns them all. */
  List<String> checkedCommittedLines() throws IOException {
    List<String> lines = Checkpointing.committedLines(output);
    for (String l : lines) {
      assertThat(l).as("committed line").matches(LINE);
    }
    return lines;
  }

  /** @return the plain-loop oracle of the job's output */
  List<String> oracle() {
    if (oracle == null) {
      oracle = Checkpointing.windowOracle(events, 10_000, 0);
    }
    return oracle;
  }

  /** Asserts that the committed output is the oracle exactly, every file with complete lines. */
  void assertOutputIsTheOracle() throws IOException {
    Checkpointing.assertSameMultiset(checkedCommittedLines(), oracle());
  }

  /**
   * Waits for a completed checkpoint and at least {@code lines} committed lines while the job runs; then checks it
   * is still RUNNING with output left to commit (else the fault would come too late: make the run longer).
   */
  void awaitCheckpointAndCommits(List<Node> via, int lines, Duration timeout) throws Exception {
    cluster.awaitCondition("a completed checkpoint and " + lines + " committed lines of job " + id, timeout, () -> {
      JsonObject s = status(via.get(0));
      if (TERMINAL.contains(s.getString("state"))) {
        throw new AssertionError("job " + id + " ended before a checkpoint and " + lines + " committed lines: "
            + s.encodePrettily() + "\n" + cluster.tails());
      }
      return latestCheckpoint().isPresent() && committedCount() >= lines;
    });
    assertStillRunning(via.get(0), "the fault is injected");
  }

  /** The job is RUNNING with output left to commit: the run is long enough for what comes next. */
  void assertStillRunning(Node via, String before) throws Exception {
    JsonObject s = status(via);
    int committed = committedCount();
    assertThat(s.getString("state"))
        .as("job %s still RUNNING when %s (make EVENTS/RATE longer): %s", id, before, s.encode())
        .isEqualTo("RUNNING");
    assertThat(committed)
        .as("committed lines when %s: fewer than the %d of the oracle (make EVENTS/RATE longer)", before,
            oracle().size())
        .isLessThan(oracle().size());
  }
}
