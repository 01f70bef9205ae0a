package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two clustered nodes in one JVM: membership, leader election, REST and leader failover. */
@ExtendWith(VertxExtension.class)
class ClusterNodeTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<ClusterNode> started = new ArrayList<>();

  @AfterEach
  void closeNodes() throws Exception {
    for (ClusterNode n : started) {
      try {
        await(n.close(), 20);
      } catch (Exception e) {
        System.out.println("closing node " + n.nodeId() + ": " + e);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void twoNodesFormAClusterWithOneLeaderAndServeRest() throws Exception {
    NodeConfig conf = config();
    ClusterNode a = start(conf.withSlots(2));
    ClusterNode b = start(conf.withSlots(3));
    assertThat(a.members()).hasSize(2);
    assertThat(b.joinedLine()).startsWith("eddy node " + b.nodeId() + " joined cluster '" + conf.clusterName()
        + "' (2 members), http on " + b.httpPort()).doesNotContain("alone");

    JsonArray nodes = pollNodes(a, n -> n.size() == 2 && leaders(n) == 1, 15_000);
    for (ClusterNode via : List.of(a, b)) {
      nodes = pollNodes(via, n -> n.size() == 2 && leaders(n) == 1, 5_000);
      JsonObject na = find(nodes, a.nodeId());
      JsonObject nb = find(nodes, b.nodeId());
      assertThat(na.getInteger("slots")).isEqualTo(2);
      assertThat(nb.getInteger("slots")).isEqualTo(3);
      assertThat(na.getInteger("httpPort")).isEqualTo(a.httpPort());
      assertThat(nb.getInteger("usedSlots")).isZero();
      assertThat(na.getBoolean("leader")).isEqualTo(a.isLeader());
      assertThat(nb.getBoolean("leader")).isEqualTo(b.isLeader());
    }
    assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leader").isTrue();

    HttpResponse<String> jobs = get(b, "/jobs");
    assertThat(jobs.statusCode()).isEqualTo(200);
    assertThat(new JsonArray(jobs.body())).isEmpty();
    HttpResponse<String> missing = get(a, "/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getString("error")).contains("/nope");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void whenTheLeaderLeavesTheOtherNodeLeads() throws Exception {
    NodeConfig conf = config();
    ClusterNode a = start(conf);
    ClusterNode b = start(conf);
    pollNodes(a, n -> n.size() == 2 && leaders(n) == 1, 15_000);
    ClusterNode leader = a.isLeader() ? a : b;
    ClusterNode other = leader == a ? b : a;
    assertThat(other.isLeader()).isFalse();

    long t0 = System.nanoTime();
    await(leader.close(), 20);
    JsonArray nodes = pollNodes(other, n -> n.size() == 1 && leaders(n) == 1, 15_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("leader failover after graceful close: " + ms + " ms");
    assertThat(nodes.getJsonObject(0).getString("id")).isEqualTo(other.nodeId());
    assertThat(other.isLeader()).isTrue();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void whenTheLeadersMemberCrashesTheOtherNodeLeadsAndTheDeadNodeIsDropped() throws Exception {
    NodeConfig conf = config();
    ClusterNode a = start(conf);
    ClusterNode b = start(conf);
    pollNodes(a, n -> n.size() == 2 && leaders(n) == 1, 15_000);
    ClusterNode leader = a.isLeader() ? a : b;
    ClusterNode other = leader == a ? b : a;

    long t0 = System.nanoTime();
    leader.crashForTest();
    JsonArray nodes = pollNodes(other, n -> n.size() == 1 && leaders(n) == 1, 15_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("leader failover after a crash: " + ms + " ms");
    assertThat(nodes.getJsonObject(0).getString("id")).isEqualTo(other.nodeId());
    assertThat(other.isLeader()).isTrue();
    // the new leader removes the dead node's advertisement, not only hides it
    JsonObject stale = await(other.vertx().sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP)
        .compose(m -> m.get(leader.nodeId())), 10);
    assertThat(stale).isNull();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void nodesWithDifferentClusterNamesNeverMerge() throws Exception {
    NodeConfig first = config();
    ClusterNode a = start(first);
    // b's start returns after its join phase, in which it found a on the same loopback ports and was refused
    ClusterNode b = start(config());
    assertThat(b.joinedLine()).contains("(1 members)").contains("alone");
    // a node of a's cluster, started after b, joins a: discovery reaches across these ports, and b stays out
    ClusterNode c = start(first);
    assertThat(c.members()).containsExactlyInAnyOrder(a.nodeId(), c.nodeId());
    assertThat(a.members()).containsExactlyInAnyOrder(a.nodeId(), c.nodeId());
    assertThat(b.members()).containsExactly(b.nodeId());
    JsonArray alone = pollNodes(b, x -> x.size() == 1 && leaders(x) == 1, 10_000);
    assertThat(alone.getJsonObject(0).getString("id")).isEqualTo(b.nodeId());
    JsonArray pair = pollNodes(a, x -> x.size() == 2 && leaders(x) == 1, 10_000);
    assertThat(pair.stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactlyInAnyOrder(a.nodeId(), c.nodeId());
  }

  // ---- helpers ----

  private static NodeConfig config() throws IOException {
    return NodeConfig.defaults().withClusterName("eddy-test-" + UUID.randomUUID().toString().substring(0, 8));
  }

  private ClusterNode start(NodeConfig conf) throws Exception {
    ClusterNode node = await(ClusterNode.start(conf.withHttpPort(freePort())), 40);
    started.add(node);
    return node;
  }

  private static int freePort() throws IOException {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(ClusterNode node, String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code GET /nodes} on {@code via} until the answer satisfies {@code done}; fails after the bound. */
  private static JsonArray pollNodes(ClusterNode via, Predicate<JsonArray> done, long boundMillis) throws Exception {
    long deadline = System.currentTimeMillis() + boundMillis;
    JsonArray last = null;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = get(via, "/nodes");
      assertThat(r.statusCode()).isEqualTo(200);
      last = new JsonArray(r.body());
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GET /nodes did not reach the expected state within " + boundMillis + " ms: " + last);
  }

  private static long leaders(JsonArray nodes) {
    return nodes.stream().filter(o -> ((JsonObject) o).getBoolean("leader")).count();
  }

  private static JsonObject find(JsonArray nodes, String id) {
    return nodes.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("node " + id + " missing from " + nodes));
  }
}
