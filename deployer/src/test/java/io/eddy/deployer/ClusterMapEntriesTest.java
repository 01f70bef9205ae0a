package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a node reads from the cluster maps is checked before it is used; a malformed entry is ignored. */
class ClusterMapEntriesTest {

  @Test
  void wellFormedEntriesPassAndMalformedOnesAreRejected() {
    JsonObject ad = new JsonObject().put("id", "n-1").put("host", "127.0.0.1").put("httpPort", 8081).put("slots", 2)
        .put("usedSlots", 0);
    assertThat(ClusterMapEntries.node("n-1", ad)).isSameAs(ad);
    assertThat(ClusterMapEntries.node("n-2", ad)).as("stored under another id").isNull();
    assertThat(ClusterMapEntries.node("n-1", "text")).isNull();
    assertThat(ClusterMapEntries.node("n-1", ad.copy().put("slots", "many"))).isNull();
    assertThat(ClusterMapEntries.node("n-1", ad.copy().put("slots", 0))).isNull();
    assertThat(ClusterMapEntries.node("n-1", ad.copy().put("httpPort", 70000))).isNull();
    assertThat(ClusterMapEntries.node("n-1", ad.copy().put("host", 5))).isNull();

    assertThat(ClusterMapEntries.leader("0b6c-uuid")).isEqualTo("0b6c-uuid");
    assertThat(ClusterMapEntries.leader(null)).isNull();
    assertThat(ClusterMapEntries.leader(new JsonObject())).isNull();
    assertThat(ClusterMapEntries.leader("../x y")).isNull();

    JsonObject job = new JsonObject().put("id", "q5-1a2b3c4d").put("name", "q5").put("state", "RUNNING")
        .put("attempt", 2).put("config", new JsonObject().put("job", "a.B").put("name", "q5"))
        .put("source", "POST /jobs").put("firstCheckpointId", 3L).put("metrics", new JsonObject());
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d", job)).isSameAs(job);
    assertThat(ClusterMapEntries.job(null, job)).as("a durable copy has no key").isSameAs(job);
    assertThat(ClusterMapEntries.job("other", job)).isNull();
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d", job.copy().put("state", "PWNED"))).isNull();
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d", job.copy().put("attempt", "2"))).isNull();
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d", job.copy().put("config", "x"))).isNull();
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d",
        job.copy().put("config", new JsonObject().put("job", "a.B").put("name", "../..")))).isNull();
    assertThat(ClusterMapEntries.job("q5-1a2b3c4d", job.copy().put("metrics", 5))).isNull();
    assertThat(ClusterMapEntries.job("../x", job.copy().put("id", "../x"))).isNull();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aNodeIgnoresMalformedEntriesOfTheClusterMaps() throws Exception {
    int port = io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
    NodeConfig conf = NodeConfig.defaults().withClusterName("eddy-maps-" + UUID.randomUUID().toString().substring(0, 8))
        .withHttpPort(port).withSlots(2);
    ClusterNode node = await(ClusterNode.start(conf), 60);
    try {
      var shared = node.vertx().sharedData();
      await(shared.<String, Object>getAsyncMap(ClusterNode.NODES_MAP).compose(m -> m.put("bogus", "not an object")
          .compose(v -> m.put(node.nodeId() + "x", new JsonObject().put("id", "someone-else").put("slots", 1000)))), 10);
      await(shared.<String, Object>getAsyncMap(JobRegistry.JOBS_MAP).compose(m -> m.put("evil", "x")
          .compose(v -> m.put("evil2", new JsonObject().put("id", "evil2").put("state", "RUNNING")
              .put("config", new JsonObject().put("name", "../../etc"))))), 10);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + node.httpPort();
      HttpResponse<String> nodes = http.send(HttpRequest.newBuilder(URI.create(base + "/nodes")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(nodes.statusCode()).isEqualTo(200);
      JsonArray list = new JsonArray(nodes.body());
      assertThat(list).hasSize(1);
      assertThat(list.getJsonObject(0).getString("id")).isEqualTo(node.nodeId());
      HttpResponse<String> jobs = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(jobs.statusCode()).isEqualTo(200);
      assertThat(jobs.body()).isEqualTo("[]");
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/evil")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      // a leader record that is not a node id is not trusted: the node is not ready until a real one is written
      await(shared.<String, Object>getAsyncMap(ClusterNode.CLUSTER_MAP)
          .compose(m -> m.put(ClusterNode.LEADER_KEY, new JsonObject().put("id", node.nodeId()))), 10);
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getString("error")).isEqualTo("no leader is known yet");
      await(shared.<String, Object>getAsyncMap(ClusterNode.CLUSTER_MAP)
          .compose(m -> m.put(ClusterNode.LEADER_KEY, node.nodeId())), 10);
      ready = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    } finally {
      await(node.close(), 30);
    }
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
