package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard on a node whose REST needs a bearer token, in a real headless Chromium: the page itself loads
 * without the token, its first API calls are refused (401), so it asks for the token once; with it the page shows
 * the cluster and the job, and its cancel button works, which the node's guard allows only with the token and a
 * JSON content type.
 */
class DashboardTokenTest {
  private static final String TOKEN = "dash-token-" + UUID.randomUUID();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path tmp;
  private ClusterNode node;
  private WebDriver browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (node != null) {
      node.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws Exception {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void thePageAsksForTheTokenOnceAndThenShowsAndCancelsTheJob() throws Exception {
    browser = DashboardBrowserTest.headlessChromium(); // first: a missing browser fails at once, with how to install it
    NodeConfig conf = NodeConfig.defaults().withClusterName("eddy-dash-token-" + UUID.randomUUID().toString().substring(0, 8))
        .withSlots(1).withPathRoots(List.of(tmp.toString())).withRestSecurity(TOKEN, null);
    node = ClusterNode.start(conf.withHttpPort(freePort())).toCompletionStage().toCompletableFuture()
        .get(90, TimeUnit.SECONDS);
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."),
        "conf/jobs/q5-exactly-once.json")));
    job.put("name", "dash-token").put("parallelism", 1);
    job.getJsonObject("checkpoints").put("directory", tmp.resolve("ckpt").toString());
    job.getJsonObject("params").put("events", 500_000_000L).put("rate", 2000).put("output", tmp.resolve("out").toString());
    assertThat(call("POST", "/jobs", job.encode(), null).statusCode()).as("no token").isEqualTo(401);
    HttpResponse<String> submitted = call("POST", "/jobs", job.encode(), TOKEN);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
    String id = new JsonObject(submitted.body()).getString("id");

    browser.get("http://127.0.0.1:" + node.httpPort() + "/");
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.withMessage(() -> "the token dialog did not open").until(d -> d.findElement(By.id("token-dialog")).isDisplayed());
    assertThat(browser.findElement(By.id("node-count")).getText()).as("nothing shown without the token").isNotEqualTo("1");

    browser.findElement(By.id("token-input")).sendKeys(TOKEN);
    browser.findElement(By.id("token-save")).click();
    wait.withMessage(() -> "the page did not show the cluster after the token")
        .until(d -> d.findElement(By.id("node-count")).getText().equals("1"));
    wait.withMessage(() -> "the leader shown is not " + node.nodeId())
        .until(d -> d.findElement(By.id("leader")).getText().equals(node.nodeId()));
    assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('eddy.token')"))
        .isEqualTo(TOKEN);

    wait.withMessage(() -> "no running job shown").until(d -> d.findElement(By.id("job-state")).getText().equals("RUNNING"));
    browser.findElement(By.id("action-cancel")).click();
    browser.findElement(By.id("action-cancel-yes")).click();
    wait.withMessage(() -> "no answer to the cancel: " + browser.findElement(By.id("action-result")).getText())
        .until(d -> d.findElement(By.id("action-result")).getText().equals("canceled"));
    JsonObject state = new JsonObject(call("GET", "/jobs/" + id, null, TOKEN).body());
    assertThat(state.getString("state")).as(state.encode()).isEqualTo("CANCELED");
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).as("asked once").isFalse();
  }
}
