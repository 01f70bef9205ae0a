package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.eddy.testing.Checkpointing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clustered nodes in one JVM (Hazelcast on loopback): the leader places a job's subtasks across the nodes' slots,
 * records cross nodes serialized over the clustered event bus, the REST API of any node shows where each subtask
 * runs, and the exactly-once output equals the oracle. A graceful stop of a node moves its subtasks to the others
 * with a stopping checkpoint.
 */
class ClusterPlacementTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path tmp;
  private final List<ClusterNode> started = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    for (ClusterNode n : started) {
      try {
        await(n.close(), 90);
      } catch (Exception e) {
        System.out.println("closing node: " + e);
      }
    }
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private NodeConfig config(String cluster) throws Exception {
    return NodeConfig.defaults().withClusterName(cluster).withHttpPort(freePort())
        .withPathRoots(List.of(System.getProperty("java.io.tmpdir"))); // the tests' directories live there
  }

  private static int freePort() throws Exception {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  private ClusterNode start(NodeConfig conf) throws Exception {
    ClusterNode n = await(ClusterNode.start(conf.withHttpPort(freePort())), 90);
    started.add(n);
    return n;
  }

  private static HttpResponse<String> call(ClusterNode via, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.httpPort() + path))
        .timeout(Duration.ofSeconds(130));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject awaitJob(ClusterNode via, String id, Predicate<JsonObject> condition, String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    JsonObject j = null;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = call(via, "GET", "/jobs/" + id, null);
      if (r.statusCode() == 200) {
        j = new JsonObject(r.body());
        if (condition.test(j)) {
          return j;
        }
        assertThat(j.getString("state")).as("job %s: %s", id, j.encode()).isNotIn("FAILED", "CANCELED");
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " never became " + what + "; last: " + j);
  }

  /** Waits for the q5 job to finish; its committed output must be the oracle exactly. */
  private JsonObject awaitFinishedExactly(ClusterNode via, String id, long events) throws Exception {
    JsonObject done = awaitJob(via, id, j -> "FINISHED".equals(j.getString("state")), "FINISHED");
    Checkpointing.assertSameMultiset(Checkpointing.committedLines(tmp.resolve("out")),
        Checkpointing.windowOracle(events, 10_000, 0));
    return done;
  }

  private static Set<String> nodesOf(JsonObject job) {
    Set<String> nodes = new HashSet<>();
    job.getJsonArray("subtasks").forEach(o -> nodes.add(((JsonObject) o).getString("node")));
    return nodes;
  }

  private JsonObject q5(long events, long rate) throws Exception {
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."),
        "conf/jobs/q5-exactly-once.json")));
    job.getJsonObject("checkpoints").put("directory", tmp.resolve("ckpt").toString()).put("intervalMillis", 200);
    job.getJsonObject("params").put("events", events).put("rate", rate).put("splits", 6)
        .put("output", tmp.resolve("out").toString());
    return job;
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void subtasksSpreadAcrossNodesAndTheOutputIsExact() throws Exception {
    NodeConfig conf = config("eddy-place-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(1);
    ClusterNode a = start(conf);
    ClusterNode b = start(conf);
    ClusterNode nonLeader = a.isLeader() ? b : a;
    long events = 300_000;
    JsonObject job = q5(events, 150_000).put("parallelism", 2);

    HttpResponse<String> r = call(nonLeader, "POST", "/jobs", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");
    JsonObject running = awaitJob(a, id, j -> "RUNNING".equals(j.getString("state")), "RUNNING");
    assertThat(running.getInteger("parallelism")).isEqualTo(2);
    assertThat(nodesOf(running)).as("subtasks of %s", running.getJsonArray("subtasks"))
        .containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
    JsonArray nodes = new JsonArray(call(b, "GET", "/nodes", null).body());
    assertThat(nodes).hasSize(2);
    nodes.forEach(n -> assertThat(((JsonObject) n).getInteger("usedSlots")).as(n.toString()).isEqualTo(1));

    // the same job name again while it runs: refused, since both would keep checkpoints in one place
    r = call(b, "POST", "/jobs", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(new JsonObject(r.body()).getString("error")).contains("q5-exactly-once").contains(id);

    // another job cannot start: both slots are taken; it waits in CREATED with its reason
    JsonObject other = q5(1000, 1000).put("name", "waits");
    r = call(a, "POST", "/jobs", other.encode());
    String waiting = new JsonObject(r.body()).getString("id");
    JsonObject created = awaitJob(b, waiting, j -> j.containsKey("reason"), "waiting with a reason");
    assertThat(created.getString("state")).isEqualTo("CREATED");
    assertThat(created.getString("reason")).contains("slots");

    JsonObject done = awaitFinishedExactly(b, id, events);
    long completed = done.getJsonObject("metrics").getLong("checkpoints.completed");
    assertThat(completed).isPositive();
    // the leader exports the job's series, each node its own (PrometheusMetricsTest checks the rest)
    ClusterNode leader = a.isLeader() ? a : b;
    String metrics = call(leader, "GET", "/metrics", null).body();
    assertThat(metrics)
        .contains("eddy_job_checkpoints_completed_total{job=\"" + id + "\",job_name=\"q5-exactly-once\"} "
            + (double) completed + "\n")
        .contains("eddy_job_state{job=\"" + id + "\",job_name=\"q5-exactly-once\",state=\"FINISHED\"} 1.0\n")
        .contains("eddy_node_leader{node=\"" + leader.nodeId() + "\"} 1.0\n");
    assertThat(call(b, "GET", "/metrics", null).body()).contains("eddy_node_slots{node=\"" + b.nodeId() + "\"} 1.0\n");
    // the slots are free again: the waiting job runs
    awaitJob(a, waiting, j -> !"CREATED".equals(j.getString("state")), "started once slots were free");
    call(a, "POST", "/jobs/" + waiting + "/cancel", null);
  }

  /** Three nodes of one slot each, the leader first. */
  private List<ClusterNode> threeNodes(String clusterPrefix) throws Exception {
    NodeConfig conf = config(clusterPrefix + UUID.randomUUID().toString().substring(0, 8)).withSlots(1);
    List<ClusterNode> nodes = new ArrayList<>(List.of(start(conf), start(conf), start(conf)));
    nodes.sort(java.util.Comparator.comparing(n -> !n.isLeader()));
    assertThat(nodes.get(0).isLeader()).as("a leader among %d nodes", nodes.size()).isTrue();
    return nodes;
  }

  private static JsonObject checkpoints(ClusterNode via, String id) throws Exception {
    HttpResponse<String> r = call(via, "GET", "/jobs/" + id + "/checkpoints", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** The ids of the completed checkpoints in a {@code /checkpoints} answer, newest first. */
  private static List<Long> completedIds(JsonObject checkpoints) {
    return checkpoints.getJsonArray("history").stream().map(o -> (JsonObject) o)
        .filter(c -> "COMPLETED".equals(c.getString("status"))).map(c -> c.getLong("id")).toList();
  }

  /** Submits the adaptive q5 job via {@code node}; returns once it runs on 3 nodes and has completed two checkpoints there. */
  private String runAdaptiveQ5(ClusterNode via, long events) throws Exception {
    JsonObject job = q5(events, 100_000).put("scaling", new JsonObject().put("mode", "adaptive").put("max", 3));
    HttpResponse<String> r = call(via, "POST", "/jobs", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");
    JsonObject running = awaitJob(via, id, j -> "RUNNING".equals(j.getString("state"))
        && j.getInteger("parallelism") == 3, "RUNNING on 3 slots");
    assertThat(nodesOf(running)).hasSize(3);
    int attempt = running.getInteger("attempt");
    // state to move: checkpoints of this attempt (each commits windows) before anything leaves
    long before = running.getJsonObject("metrics").getLong("checkpoints.completed", 0L);
    awaitJob(via, id, j -> j.getInteger("attempt") == attempt
        && j.getJsonObject("metrics").getLong("checkpoints.completed", 0L) >= before + 2, "two checkpoints at parallelism 3");
    return id;
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aGracefulNodeStopMovesItsSubtasksWithoutLoss() throws Exception {
    long events = 900_000;
    List<ClusterNode> nodes = threeNodes("eddy-drain-");
    ClusterNode leader = nodes.get(0);
    ClusterNode leaving = nodes.get(1);
    String id = runAdaptiveQ5(leader, events);
    int attempt = awaitJob(leader, id, j -> true, "listed").getInteger("attempt");

    await(leaving.close(), 90);
    started.remove(leaving);
    JsonObject moved = awaitJob(leader, id, j -> j.getInteger("attempt") > attempt, "redeployed");
    assertThat(nodesOf(moved)).doesNotContain(leaving.nodeId());
    assertThat(moved.getInteger("parallelism")).isEqualTo(2);
    JsonObject done = awaitFinishedExactly(leader, id, events);
    assertThat(done.getJsonObject("metrics").getLong("sourceRecords"))
        .as("bids read over both attempts: the stopping checkpoint leaves nothing to replay").isEqualTo(events);
    System.out.println("figure: rescale pause on a graceful node stop " + done.getJsonObject("metrics")
        .getLong("rescale.lastPauseMillis") + " ms, of which the stopping checkpoint "
        + done.getJsonObject("metrics").getLong("rescale.lastStopCheckpointMillis") + " ms");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aLeaderThatStopsHandsItsJobsToTheNextLeader() throws Exception {
    long events = 900_000;
    List<ClusterNode> nodes = threeNodes("eddy-handover-");
    ClusterNode leader = nodes.get(0);
    List<ClusterNode> others = nodes.subList(1, 3);
    String id = runAdaptiveQ5(others.get(0), events);
    int attempt = awaitJob(leader, id, j -> true, "listed").getInteger("attempt");
    JsonObject before = checkpoints(others.get(0), id);
    List<Long> completedBefore = completedIds(before);
    assertThat(completedBefore).as("checkpoints under the first leader").isNotEmpty();

    await(leader.close(), 90);
    started.remove(leader);
    JsonObject resumed = awaitJob(others.get(0), id, j -> "RUNNING".equals(j.getString("state"))
        && j.getInteger("attempt") > attempt, "carried on by the next leader");
    assertThat(others.get(0).isLeader() || others.get(1).isLeader()).as("a new leader").isTrue();
    assertThat(nodesOf(resumed)).doesNotContain(leader.nodeId()).hasSize(2);
    // the history goes on under the new leader: the first leader's checkpoints and its hand-over's stopping one
    JsonObject after = checkpoints(others.get(1), id);
    List<Long> completedAfter = completedIds(after);
    long newestBefore = completedBefore.get(0);
    assertThat(completedAfter).as("GET /jobs/%s/checkpoints after the hand-over: %s", id, after.encode())
        .contains(newestBefore);
    long oldestKept = completedAfter.get(completedAfter.size() - 1); // the history is bounded
    assertThat(completedAfter).containsAll(completedBefore.stream().filter(c -> c >= oldestKept).toList());
    assertThat(after.getJsonArray("history").stream().map(o -> (JsonObject) o)
        .anyMatch(c -> "stopping".equals(c.getString("kind")) && c.getLong("id") > newestBefore
            && "COMPLETED".equals(c.getString("status")))).as("the hand-over's stopping checkpoint").isTrue();
    assertThat(after.getLong("completed")).isGreaterThan(before.getLong("completed"));
    JsonObject done = awaitFinishedExactly(others.get(1), id, events);
    assertThat(done.getJsonObject("metrics").getLong("sourceRecords"))
        .as("bids read under both leaders: the handover's stopping checkpoint leaves nothing to replay")
        .isEqualTo(events);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aJobWithoutACheckpointDirectoryUsesTheNodesAndItsRegistryCopyLivesThere() throws Exception {
    Path nodeDir = tmp.resolve("node-checkpoints");
    NodeConfig conf = config("eddy-dir-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(2);
    conf = new NodeConfig(conf.source(), conf.clusterName(), conf.host(), conf.members(), conf.hazelcastPort(),
        conf.eventBusPort(), conf.slots(), conf.httpPort(), conf.heartbeatSeconds(), conf.maxNoHeartbeatSeconds(),
        nodeDir.toString()).withPathRoots(List.of(System.getProperty("java.io.tmpdir")));
    ClusterNode a = start(conf);
    long events = 100_000;
    JsonObject job = q5(events, 100_000);
    job.getJsonObject("checkpoints").remove("directory");
    HttpResponse<String> r = call(a, "POST", "/jobs", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");
    awaitFinishedExactly(a, id, events);
    CheckpointStorage storage = new CheckpointStorage(nodeDir.resolve(CheckpointStorage.CLUSTER_JOBS).resolve("q5-exactly-once"));
    assertThat(storage.root()).isEqualTo(nodeDir.resolve("_cluster").resolve("q5-exactly-once"));
    assertThat(storage.latest()).as("checkpoints under the node's directory").isPresent();
    assertThat(Checkpointing.storage(nodeDir, "q5-exactly-once").latest()).as("nothing where local runs keep theirs")
        .isEmpty();
    Path copy = storage.root().resolve("job-" + id + ".json");
    long deadline = System.currentTimeMillis() + 10_000;
    while (!(Files.exists(copy) && Files.readString(copy).contains("FINISHED")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    JsonObject durable = new JsonObject(Files.readString(copy));
    assertThat(durable.getString("id")).isEqualTo(id);
    assertThat(durable.getString("state")).isEqualTo("FINISHED");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void tasksOfAnAttemptNoCoordinatorRunsAreUndeployedByTheirNode() throws Exception {
    ClusterNode a = start(config("eddy-orphans-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(2));
    long events = 20_000;
    HttpResponse<String> r = call(a, "POST", "/jobs", q5(events, 100_000).encode());
    String id = new JsonObject(r.body()).getString("id");
    JsonObject done = awaitJob(a, id, j -> "FINISHED".equals(j.getString("state")), "FINISHED");
    assertThat(a.hostsTasks()).isFalse();

    // a deploy request that arrives late, after its job ended (as after a leader gave up on a slow node)
    var late = new io.eddy.deployer.control.NodeRequest.Deploy(id, done.getInteger("attempt"),
        done.getJsonObject("config").encode(), done.getString("source"), List.of(a.nodeId(), a.nodeId()),
        List.of(new io.eddy.deployer.control.NodeRequest.Subtask(0, 0)), null);
    await(a.vertx().eventBus().request(io.eddy.deployer.NodeVerticle.tasksAddress(a.nodeId()), late,
        io.eddy.deployer.control.DeployerMessage.delivery(30_000)), 30);
    assertThat(a.hostsTasks()).as("the late task was deployed").isTrue();
    long deadline = System.currentTimeMillis() + 30_000;
    while (a.hostsTasks() && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(a.hostsTasks()).as("the node undeploys tasks of an ended job").isFalse();
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aJobStoppedWithASavepointIsSubmittedAgainFromItWithoutLossOrDuplicates() throws Exception {
    ClusterNode a = start(config("eddy-resubmit-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(2));
    long events = 500_000;
    JsonObject job = q5(events, 100_000);
    HttpResponse<String> r = call(a, "POST", "/jobs", job.encode());
    String first = new JsonObject(r.body()).getString("id");
    awaitJob(a, first, j -> "RUNNING".equals(j.getString("state"))
        && j.getJsonObject("metrics").getLong("checkpoints.completed", 0L) > 0, "RUNNING with a checkpoint");
    Path savepoint = tmp.resolve("sp");
    r = call(a, "POST", "/jobs/" + first + "/savepoints?stop=true",
        new JsonObject().put("directory", savepoint.toString()).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    awaitJob(a, first, j -> "CANCELED".equals(j.getString("state")), "stopped");
    List<String> before = Checkpointing.committedLines(tmp.resolve("out"));
    assertThat(before.size()).as("committed before the stop").isLessThan(Checkpointing.windowOracle(events, 10_000, 0).size());

    String encoded = java.net.URLEncoder.encode(savepoint.toString(), java.nio.charset.StandardCharsets.UTF_8);
    r = call(a, "POST", "/jobs?fromSavepoint=" + encoded, job.copy().put("name", "another").encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("fromSavepoint").contains("belongs to job");
    r = call(a, "POST", "/jobs?fromSavepoint=" + encoded + "-missing", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("fromSavepoint").contains("-missing");

    r = call(a, "POST", "/jobs?fromSavepoint=" + encoded, job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String second = new JsonObject(r.body()).getString("id");
    awaitFinishedExactly(a, second, events);
  }

  /**
   * When a partitioned cluster heals, Hazelcast merges the entries one side kept into the other after the members
   * joined, so the leader may have loaded the registry before an entry arrives. Here the entry of a job that ran on
   * another cluster (stopped there, as a side that lost its quorum stops) is put into the map of a running leader,
   * as the merge puts it: the leader carries the job on from its latest checkpoint, and the output is exact.
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aJobEntryMergedIntoTheRegistryAfterTheLeaderStartedIsCarriedOn() throws Exception {
    ClusterNode a = start(config("eddy-side-a-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(2));
    long events = 500_000;
    HttpResponse<String> r = call(a, "POST", "/jobs", q5(events, 100_000).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");
    JsonObject entry = awaitJob(a, id, j -> "RUNNING".equals(j.getString("state"))
        && j.getJsonObject("metrics").getLong("checkpoints.completed", 0L) > 0, "RUNNING with a checkpoint");
    r = call(a, "POST", "/jobs/" + id + "/cancel", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Checkpointing.committedLines(tmp.resolve("out")).size()).as("committed before the stop")
        .isLessThan(Checkpointing.windowOracle(events, 10_000, 0).size());

    ClusterNode b = start(config("eddy-side-b-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(2));
    // b leads and its registry has started: it ran a job of its own (into another directory)
    JsonObject other = q5(1_000, 100_000).put("name", "other");
    other.getJsonObject("params").put("output", tmp.resolve("out-other").toString());
    r = call(b, "POST", "/jobs", other.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    awaitJob(b, new JsonObject(r.body()).getString("id"), j -> "FINISHED".equals(j.getString("state")), "FINISHED");
    await(b.vertx().sharedData().<String, JsonObject>getAsyncMap("eddy.jobs").compose(m -> m.put(id, entry)), 30);
    JsonObject done = awaitFinishedExactly(b, id, events);
    assertThat(done.getInteger("attempt")).as("an attempt after the one the entry recorded")
        .isGreaterThan(entry.getInteger("attempt"));
  }
}
