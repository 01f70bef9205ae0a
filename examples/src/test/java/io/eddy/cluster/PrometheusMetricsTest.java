package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.eddy.runtime.LiveTasks;
import io.eddy.runtime.TaskMetrics;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of two clustered nodes running one job, one subtask per node: every series has HELP and TYPE,
 * counters end in {@code _total}, times are in seconds; each node exports its own node series and the subtasks it
 * runs (as the REST placement says), the job's series come from the leader alone, and the task counters summed over
 * both scrapes lie between the tasks' own counters read just before and just after.
 */
class PrometheusMetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern SERIES = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir Path tmp;
  private final List<ClusterNode> started = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ClusterNode n : started) {
      try {
        n.close().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("closing node: " + e);
      }
    }
  }

  /** One scrape: its series (name, labels, value) and the HELP and TYPE of each family. */
  record Scrape(List<Series> series, Map<String, String> help, Map<String, String> type) {
    List<Series> named(String name) {
      return series.stream().filter(s -> s.name.equals(name)).toList();
    }

    double sum(String name, Predicate<Series> which) {
      return named(name).stream().filter(which).mapToDouble(Series::value).sum();
    }
  }

  record Series(String name, Map<String, String> labels, double value) {
  }

  static Scrape parse(String text) {
    List<Series> series = new ArrayList<>();
    Map<String, String> help = new HashMap<>();
    Map<String, String> type = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String[] p = line.split(" ", 4);
        help.put(p[2], p.length > 3 ? p[3] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        type.put(p[2], p[3]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        Matcher m = SERIES.matcher(line);
        assertThat(m.matches()).as("a series line: %s", line).isTrue();
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(3) != null) {
          Matcher l = LABEL.matcher(m.group(3));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        series.add(new Series(m.group(1), labels, Double.parseDouble(m.group(4))));
      }
    }
    return new Scrape(series, help, type);
  }

  /** The family a series belongs to: its name without a histogram's or summary's suffix. */
  private static String family(Scrape s, String name) {
    for (String suffix : new String[] {"", "_bucket", "_count", "_sum", "_max"}) {
      if (name.endsWith(suffix) && s.type().containsKey(name.substring(0, name.length() - suffix.length()))) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  private static int freePort() throws Exception {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  private ClusterNode start(NodeConfig conf) throws Exception {
    ClusterNode n = ClusterNode.start(conf.withHttpPort(freePort())).toCompletionStage().toCompletableFuture()
        .get(90, TimeUnit.SECONDS);
    started.add(n);
    return n;
  }

  private static String call(ClusterNode via, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.httpPort() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
    return r.body();
  }

  private static long liveSourceRecords(String jobId) {
    long sum = 0;
    for (TaskVerticle t : LiveTasks.all()) {
      if (t.id().jobId().equals(jobId)) {
        sum += t.metrics().get(TaskMetrics.SOURCE_RECORDS);
      }
    }
    return sum;
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void eachNodeExportsWhatItRunsInPrometheusForm() throws Exception {
    NodeConfig conf = NodeConfig.defaults()
        .withClusterName("eddy-prom-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(1)
        .withPathRoots(List.of(tmp.toString())); // the job's checkpoints and output live there
    ClusterNode a = start(conf);
    ClusterNode b = start(conf);
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."),
        "conf/jobs/q5-exactly-once.json")));
    job.put("name", "prom-q5").put("parallelism", 2);
    job.getJsonObject("checkpoints").put("directory", tmp.resolve("ckpt").toString()).put("intervalMillis", 300);
    job.getJsonObject("params").put("events", 500_000_000L).put("rate", 5000).put("splits", 4)
        .put("output", tmp.resolve("out").toString());
    String id = new JsonObject(call(a, "POST", "/jobs", job.encode())).getString("id");
    long deadline = System.currentTimeMillis() + 90_000;
    JsonObject running = null;
    while (System.currentTimeMillis() < deadline) {
      running = new JsonObject(call(b, "GET", "/jobs/" + id, null));
      if ("RUNNING".equals(running.getString("state"))
          && running.getJsonObject("metrics").getLong("checkpoints.completed", 0L) >= 2) {
        break;
      }
      Thread.sleep(100); // polls the condition
    }
    assertThat(running.getString("state")).as(running.encode()).isEqualTo("RUNNING");

    long before = liveSourceRecords(id);
    String ta = call(a, "GET", "/metrics", null);
    String tb = call(b, "GET", "/metrics", null);
    long after = liveSourceRecords(id);
    Scrape sa = parse(ta);
    Scrape sb = parse(tb);
    ClusterNode leader = a.isLeader() ? a : b;
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "metrics-leader.txt"), leader == a ? ta : tb);
    Files.writeString(Path.of("target", "metrics-follower.txt"), leader == a ? tb : ta);
    Scrape leaderScrape = leader == a ? sa : sb;
    Scrape followerScrape = leader == a ? sb : sa;

    for (Scrape s : List.of(sa, sb)) {
      for (Series x : s.series()) {
        String family = family(s, x.name());
        assertThat(s.type()).as("TYPE of %s", x.name()).containsKey(family);
        assertThat(s.help()).as("HELP of %s", x.name()).containsKey(family);
        if (x.name().startsWith("eddy_")) {
          assertThat(s.help().get(family)).as("HELP of %s", family).isNotBlank();
          assertThat(x.name()).as("Eddy's series are in seconds and bytes").doesNotContain("millis");
        }
      }
      s.type().forEach((name, type) -> {
        if (type.equals("counter")) {
          assertThat(name).as("a counter").endsWith("_total");
        }
      });
      assertThat(s.named("eddy_task_back_pressured_seconds_total")).isNotEmpty();
      assertThat(s.named("eddy_task_watermark_lag_seconds")).isNotEmpty();
      assertThat(s.series()).as("JVM meters").anyMatch(x -> x.name().startsWith("jvm_memory_used_bytes"));
      assertThat(s.series()).as("Vert.x meters").anyMatch(x -> x.name().startsWith("vertx_http_server"));
      assertThat(s.series()).as("no event-bus meters").noneMatch(x -> x.name().startsWith("vertx_eventbus"));
    }

    // node series: each node its own
    for (ClusterNode n : List.of(a, b)) {
      Scrape s = n == a ? sa : sb;
      assertThat(s.named("eddy_node_slots")).singleElement().satisfies(x -> {
        assertThat(x.labels()).containsEntry("node", n.nodeId());
        assertThat(x.value()).isEqualTo(1.0);
      });
      assertThat(s.named("eddy_node_leader")).singleElement()
          .satisfies(x -> assertThat(x.value()).isEqualTo(n.isLeader() ? 1.0 : 0.0));
    }

    // task series: each node the subtasks the REST placement puts on it
    JsonObject placed = new JsonObject(call(a, "GET", "/jobs/" + id, null));
    for (ClusterNode n : List.of(a, b)) {
      Set<String> expected = new HashSet<>();
      placed.getJsonArray("subtasks").forEach(o -> {
        JsonObject st = (JsonObject) o;
        if (n.nodeId().equals(st.getString("node"))) {
          expected.add(st.getString("vertex") + "#" + st.getInteger("subtask"));
        }
      });
      Set<String> exported = new HashSet<>();
      (n == a ? sa : sb).named("eddy_task_records_in_total").forEach(x -> {
        assertThat(x.labels()).containsEntry("job", id).containsEntry("job_name", "prom-q5");
        exported.add(x.labels().get("vertex") + "#" + x.labels().get("subtask"));
      });
      assertThat(exported).as("subtasks exported by %s", n.nodeId()).isEqualTo(expected).isNotEmpty();
    }
    // summed over the nodes, the counters are the tasks' own: between what they said before and after the scrapes
    double scraped = sa.sum("eddy_task_source_records_total", x -> id.equals(x.labels().get("job")))
        + sb.sum("eddy_task_source_records_total", x -> id.equals(x.labels().get("job")));
    assertThat(scraped).isBetween((double) before, (double) after).isPositive();

    // job series: the leader alone, with the job as a label
    assertThat(followerScrape.series()).noneMatch(x -> x.name().startsWith("eddy_job_"));
    assertThat(leaderScrape.named("eddy_job_state")).filteredOn(x -> x.value() == 1.0).singleElement()
        .satisfies(x -> assertThat(x.labels()).containsEntry("job", id).containsEntry("state", "RUNNING"));
    assertThat(leaderScrape.named("eddy_job_parallelism")).singleElement()
        .satisfies(x -> assertThat(x.value()).isEqualTo(2.0));
    JsonObject published = new JsonObject(call(a, "GET", "/jobs/" + id, null));
    assertThat(leaderScrape.named("eddy_job_checkpoints_completed_total")).singleElement()
        .satisfies(x -> assertThat(x.value()).isPositive()
            .isLessThanOrEqualTo(published.getJsonObject("metrics").getLong("checkpoints.completed")));
    assertThat(leaderScrape.named("eddy_job_checkpoint_duration_seconds")).singleElement()
        .satisfies(x -> assertThat(x.value()).isPositive().isLessThan(60.0));
    assertThat(leaderScrape.named("eddy_job_checkpoint_size_bytes")).singleElement()
        .satisfies(x -> assertThat(x.value()).isPositive());

    assertStateSizesMatchTheCheckpointOnDisk(a, b, id, tmp.resolve("ckpt").resolve("_cluster").resolve("prom-q5"));
  }

  /**
   * Each subtask's state size, as its node exports it ({@code eddy_task_state_size_bytes}, and per operator
   * {@code eddy_operator_state_size_bytes}) and as {@code GET /jobs/{id}} shows it, equals the size computed from the
   * latest completed checkpoint on disk: the files its metadata names for the subtask plus its operator state
   * entries. A checkpoint may complete between the reads, so the check repeats until one pass sees them agree.
   */
  private void assertStateSizesMatchTheCheckpointOnDisk(ClusterNode a, ClusterNode b, String id, Path jobDir)
      throws Exception {
    Map<String, Integer> vertexIds = new HashMap<>();
    new io.vertx.core.json.JsonArray(call(a, "GET", "/jobs/" + id + "/vertices", null)).forEach(o ->
        vertexIds.put(((JsonObject) o).getString("name"), ((JsonObject) o).getInteger("id")));
    long deadline = System.currentTimeMillis() + 30_000;
    String last = "nothing compared yet";
    while (System.currentTimeMillis() < deadline) {
      Map<String, Long> exported = new HashMap<>();
      Map<String, Long> byOperators = new HashMap<>();
      for (ClusterNode n : List.of(a, b)) {
        Scrape s = parse(call(n, "GET", "/metrics", null));
        s.named("eddy_task_state_size_bytes").stream().filter(x -> id.equals(x.labels().get("job")))
            .forEach(x -> exported.put(vertexIds.get(x.labels().get("vertex")) + "/" + x.labels().get("subtask"),
                (long) x.value()));
        s.named("eddy_operator_state_size_bytes").stream().filter(x -> id.equals(x.labels().get("job")))
            .forEach(x -> byOperators.merge(vertexIds.get(x.labels().get("vertex")) + "/" + x.labels().get("subtask"),
                (long) x.value(), Long::sum));
      }
      Map<String, Long> shown = new HashMap<>();
      new JsonObject(call(a, "GET", "/jobs/" + id, null)).getJsonArray("subtasks").forEach(o -> {
        JsonObject st = (JsonObject) o;
        if (st.containsKey("stateBytes")) {
          shown.put(vertexIds.get(st.getString("vertex")) + "/" + st.getInteger("subtask"), st.getLong("stateBytes"));
        }
      });
      Map<String, Long> onDisk = stateSizesOnDisk(jobDir);
      last = "exported " + exported + ", by operators " + byOperators + ", shown by REST " + shown + ", on disk "
          + onDisk;
      if (!onDisk.isEmpty() && exported.equals(onDisk) && byOperators.equals(onDisk) && shown.equals(onDisk)) {
        assertThat(onDisk.values()).as("state sizes: the window operator keeps state").anyMatch(v -> v > 0);
        return;
      }
      Thread.sleep(100); // polls the condition
    }
    throw new AssertionError("the state sizes never matched the latest completed checkpoint: " + last);
  }

  /** @return per {@code "vertex/subtask"}, the bytes the latest completed checkpoint's metadata names for it */
  private static Map<String, Long> stateSizesOnDisk(Path jobDir) throws Exception {
    io.eddy.checkpoint.CheckpointStorage storage = new io.eddy.checkpoint.CheckpointStorage(jobDir);
    java.util.Optional<Long> latest = storage.latest();
    Map<String, Long> out = new HashMap<>();
    if (latest.isEmpty()) {
      return out;
    }
    JsonObject meta;
    try {
      meta = io.eddy.checkpoint.CheckpointStorage.readMetadata(storage.checkpointDirectory(latest.get()));
    } catch (java.io.IOException pruned) {
      return out; // retention removed it meanwhile: the next pass reads the next
    }
    for (Object t : meta.getJsonArray("tasks")) {
      JsonObject task = (JsonObject) t;
      long bytes = 0;
      JsonObject operators = task.getJsonObject("operators");
      for (String uid : operators.fieldNames()) {
        JsonObject op = operators.getJsonObject(uid);
        List<String> files = new ArrayList<>();
        if (op.containsKey("keyGroupsFile")) {
          files.add(op.getString("keyGroupsFile"));
        }
        JsonObject backend = op.getJsonObject("backend");
        if (backend != null && backend.getValue("file") instanceof String f) {
          files.add(f);
        }
        if (backend != null && backend.getValue("files") instanceof JsonObject fs) {
          fs.forEach(e -> files.add((String) e.getValue()));
        }
        for (String f : files) {
          bytes += Files.size(jobDir.resolve(f));
        }
        JsonObject opState = op.getJsonObject("operatorState", new JsonObject());
        for (String name : opState.fieldNames()) {
          for (Object entry : opState.getJsonObject(name).getJsonArray("entries")) {
            bytes += java.util.Base64.getDecoder().decode((String) entry).length;
          }
        }
      }
      out.put(task.getInteger("vertex") + "/" + task.getInteger("subtask"), bytes);
    }
    return out;
  }
}
