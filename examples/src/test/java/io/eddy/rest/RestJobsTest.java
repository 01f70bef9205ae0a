package io.eddy.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs over a node's REST API: submit, status, list, savepoint, rescale and their refusals. The
 * rescaled q5 exactly-once job's committed output equals the oracle.
 */
@Timeout(150)
class RestJobsTest {
  private ClusterNode node;
  private String base;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    int port = io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
    NodeConfig conf = NodeConfig.defaults().withClusterName("eddy-rest-" + UUID.randomUUID().toString().substring(0, 8))
        .withHttpPort(port).withSlots(4) // room to rescale from 2 to 3
        .withPathRoots(List.of(System.getProperty("java.io.tmpdir"))); // where @TempDir puts the checkpoints
    node = ClusterNode.start(conf).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterEach
  void stop() throws Exception {
    node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject waitForState(String id, String state) throws Exception {
    long deadline = System.currentTimeMillis() + 100_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject j = new JsonObject(call("GET", "/jobs/" + id, null).body());
      if (state.equals(j.getString("state"))) {
        return j;
      }
      assertThat(j.getString("state")).as(j.encode()).isNotIn("FAILED", "CANCELED");
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " never reached " + state);
  }

  @Test
  void badSubmissionsAndUnknownJobsAreRefusedWithTheirReason() throws Exception {
    HttpResponse<String> r = call("POST", "/jobs", "{\"job\": \"io.eddy.examples.WordCount\", \"parallelism\": \"two\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("parallelism");
    r = call("POST", "/jobs", "not json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("not valid JSON");
    r = call("POST", "/jobs", "{\"job\": \"no.such.Job\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("no.such.Job");
    assertThat(call("GET", "/jobs/nope", null).statusCode()).isEqualTo(404);
    assertThat(call("POST", "/jobs/nope/cancel", null).statusCode()).isEqualTo(404);
    assertThat(call("POST", "/jobs/nope/savepoints", null).statusCode()).isEqualTo(404);
  }

  @Test
  void submitSavepointRescaleAndFinishExactly(@TempDir Path tmp) throws Exception {
    long events = 600_000;
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."), "conf/jobs/q5-exactly-once.json")));
    job.getJsonObject("checkpoints").put("directory", tmp.resolve("ckpt").toString()).put("intervalMillis", 200);
    // 20 s: the job must still run when the savepoint and the rescale are asked for, even on a loaded machine
    job.getJsonObject("params").put("events", events).put("rate", 30_000).put("splits", 4)
        .put("output", tmp.resolve("out").toString());
    HttpResponse<String> r = call("POST", "/jobs", job.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");

    JsonObject running = waitForState(id, "RUNNING");
    assertThat(running.getInteger("parallelism")).isEqualTo(2);
    assertThat(running.getJsonArray("subtasks")).isNotEmpty();
    JsonArray all = new JsonArray(call("GET", "/jobs", null).body());
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("id")).toList()).contains(id);
    // the counters are live while it runs: they come with every checkpoint's acknowledgements
    long deadline = System.currentTimeMillis() + 20_000;
    JsonObject live = new JsonObject(call("GET", "/jobs/" + id, null).body());
    while ((live.getJsonObject("metrics").getLong("sourceRecords", 0L) == 0
        || live.getJsonObject("metrics").getLong("checkpoints.completed", 0L) < 1) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      live = new JsonObject(call("GET", "/jobs/" + id, null).body());
    }
    assertThat(live.getString("state")).isEqualTo("RUNNING");
    assertThat(live.getJsonObject("metrics").getLong("sourceRecords", 0L)).as(live.encode()).isPositive()
        .isLessThan(events);

    r = call("POST", "/jobs/" + id + "/savepoints", new JsonObject().put("directory", tmp.resolve("sp").toString()).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(tmp.resolve("sp/_metadata")).exists();

    assertThat(call("POST", "/jobs/" + id + "/rescale?parallelism=zero", null).statusCode()).isEqualTo(400);
    r = call("POST", "/jobs/" + id + "/rescale?parallelism=129", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("parallelism").contains("maxParallelism 128");
    r = call("POST", "/jobs/" + id + "/rescale?parallelism=3", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject finished = waitForState(id, "FINISHED");
    assertThat(finished.getInteger("parallelism")).isEqualTo(3);
    assertThat(call("POST", "/jobs/" + id + "/savepoints?stop=true", null).statusCode())
        .as("a finished job takes no savepoint").isEqualTo(409);
    r = call("POST", "/jobs/" + id + "/cancel", null);
    assertThat(r.statusCode()).as("a finished job cannot be canceled: %s", r.body()).isEqualTo(409);
    assertThat(new JsonObject(r.body()).getString("error")).contains("FINISHED");
    assertThat(new JsonObject(call("GET", "/jobs/" + id, null).body()).getString("state")).isEqualTo("FINISHED");

    List<String> got = io.eddy.checkpoint.SavepointRescaleTest.committedLines(tmp.resolve("out"));
    java.util.Map<String, long[]> agg = new java.util.HashMap<>();
    for (long i = 0; i < events; i++) {
      var b = io.eddy.connectors.generator.BidGenerator.bid(i);
      long ws = b.ts() - Math.floorMod(b.ts(), 10_000L);
      long[] a = agg.computeIfAbsent(ws + " " + b.auction(), k -> new long[] {0, Long.MIN_VALUE});
      a[0]++;
      a[1] = Math.max(a[1], b.price());
    }
    List<String> expected = new java.util.ArrayList<>();
    agg.forEach((k, a) -> expected.add(k + " " + a[0] + " " + a[1]));
    assertThat(got).hasSameSizeAs(expected);
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
  }
}
