package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), against two
 * clustered nodes in this JVM running a job: what the page shows matches the REST API (nodes, leader, job state,
 * parallelism, the graph's vertices, a growing checkpoint count), and its buttons take a savepoint, rescale and cancel
 * the job, each checked through the REST API. Screenshots go to {@code target/dashboard-*.png}.
 */
class DashboardBrowserTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;
  private final List<ClusterNode> started = new ArrayList<>();
  private WebDriver browser;

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    for (ClusterNode n : started) {
      try {
        n.close().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("closing node: " + e);
      }
    }
  }

  /** Chromium and its driver from the paths given (no download: Selenium Manager is never asked). */
  static WebDriver headlessChromium() {
    Path binary = Path.of(System.getProperty("eddy.chromium", "/usr/bin/chromium"));
    Path driver = Path.of(System.getProperty("eddy.chromedriver", "/usr/bin/chromedriver"));
    if (!Files.isExecutable(binary) || !Files.isExecutable(driver)) {
      throw new AssertionError("the dashboard test needs Chromium and its driver at " + binary + " and " + driver
          + " (install them with: apt-get install -y chromium chromium-driver; or set -Deddy.chromium=... and"
          + " -Deddy.chromedriver=...)");
    }
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions().setBinary(binary.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1300");
    return new ChromeDriver(service, options);
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

  private static HttpResponse<String> call(ClusterNode via, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.httpPort() + path))
        .timeout(Duration.ofSeconds(130)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String get(ClusterNode via, String path) throws Exception {
    HttpResponse<String> r = call(via, "GET", path, null);
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  private static JsonObject awaitJob(ClusterNode via, String id, Predicate<JsonObject> condition, String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    JsonObject j = null;
    while (System.currentTimeMillis() < deadline) {
      j = new JsonObject(get(via, "/jobs/" + id));
      if (condition.test(j)) {
        return j;
      }
      Thread.sleep(100); // polls the condition
    }
    throw new AssertionError("job " + id + " never became " + what + "; last: " + j);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** Waits until the element's text satisfies the condition; fails naming what was expected and what was shown. */
  private String awaitText(String id, Predicate<String> condition, String expected) {
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.withMessage(() -> "#" + id + " should show " + expected + " but shows '" + safeText(id) + "'");
    return wait.until(d -> {
      String t = d.findElement(By.id(id)).getText();
      return condition.test(t) ? t : null;
    });
  }

  private String safeText(String id) {
    try {
      return text(id);
    } catch (RuntimeException e) {
      return "(" + e.getClass().getSimpleName() + ")";
    }
  }

  private void screenshot(String name) throws Exception {
    Path target = Path.of("target");
    Files.createDirectories(target);
    byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(target.resolve("dashboard-" + name + ".png"), png);
  }

  /** One column of a table, read in one script: the page redraws its tables every second. */
  @SuppressWarnings("unchecked")
  private List<String> column(String table, int cell) {
    return (List<String>) ((JavascriptExecutor) browser).executeScript(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
            + ".map(tr => tr.cells[arguments[1]].textContent)", table, cell);
  }

  /** The names of the vertices drawn in the graph (the full name is each box's title). */
  @SuppressWarnings("unchecked")
  private List<String> drawnVertices() {
    return (List<String>) ((JavascriptExecutor) browser).executeScript(
        "return Array.from(document.querySelectorAll('#graph g.vertex > title')).map(t => t.textContent)");
  }

  private JsonObject job(String name) throws Exception {
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."),
        "conf/jobs/q5-exactly-once.json")));
    job.put("name", name).put("parallelism", 1);
    job.getJsonObject("checkpoints").put("directory", tmp.resolve("ckpt").toString()).put("intervalMillis", 500);
    // slow and long: it runs for the whole test
    job.getJsonObject("params").put("events", 500_000_000L).put("rate", 4000).put("splits", 4)
        .put("output", tmp.resolve("out").toString());
    return job;
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void thePageShowsWhatTheRestApiSaysAndItsButtonsWork() throws Exception {
    browser = headlessChromium(); // first: a missing browser fails at once, with how to install it
    NodeConfig conf = NodeConfig.defaults()
        .withClusterName("eddy-dash-" + UUID.randomUUID().toString().substring(0, 8)).withSlots(1)
        .withPathRoots(List.of(tmp.toString())); // the job's checkpoints and output live there
    ClusterNode a = start(conf);
    ClusterNode b = start(conf);
    HttpResponse<String> submitted = call(a, "POST", "/jobs", job("dash-q5").encode());
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
    String id = new JsonObject(submitted.body()).getString("id");
    awaitJob(a, id, j -> "RUNNING".equals(j.getString("state")), "RUNNING");

    // served by any node: open it on the one that is not the leader
    ClusterNode via = a.isLeader() ? b : a;
    browser.get("http://127.0.0.1:" + via.httpPort() + "/");
    assertThat(browser.getTitle()).isEqualTo("Eddy");

    // the cluster as GET /nodes has it
    JsonArray nodes = new JsonArray(get(via, "/nodes"));
    String leader = nodes.stream().map(JsonObject.class::cast).filter(n -> n.getBoolean("leader"))
        .map(n -> n.getString("id")).findFirst().orElseThrow();
    awaitText("node-count", t -> t.equals(String.valueOf(nodes.size())), nodes.size() + " nodes");
    assertThat(nodes.size()).isEqualTo(2);
    awaitText("leader", leader::equals, "the leader " + leader);
    assertThat(column("nodes", 0)).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());

    // the job: its row, then (the only job, so selected) its detail
    new WebDriverWait(browser, WAIT).withMessage(() -> "no row for job " + id)
        .until(d -> !d.findElements(By.cssSelector("#job-list tr[data-job='" + id + "']")).isEmpty());
    browser.findElement(By.cssSelector("#job-list tr[data-job='" + id + "']")).click();
    awaitText("job-id", id::equals, id);
    awaitText("job-state", "RUNNING"::equals, "RUNNING");
    JsonObject job = new JsonObject(get(via, "/jobs/" + id));
    assertThat(text("job-state")).isEqualTo(job.getString("state"));
    assertThat(text("job-parallelism")).isEqualTo(String.valueOf(job.getInteger("parallelism")));

    // the graph's vertices as GET /jobs/{id}/vertices lists them, once the tasks have reported
    JsonArray vertices = awaitVertices(via, id, 1);
    List<String> names = vertices.stream().map(v -> ((JsonObject) v).getString("name")).toList();
    List<String> parallelisms = vertices.stream().map(v -> String.valueOf(((JsonObject) v).getInteger("parallelism")))
        .toList();
    assertThat(names).hasSizeGreaterThan(1);
    new WebDriverWait(browser, WAIT).withMessage(() -> "vertex table " + column("vertices", 0) + " should be " + names)
        .until(d -> column("vertices", 0).equals(names));
    assertThat(column("vertices", 1)).isEqualTo(parallelisms);
    assertThat(drawnVertices()).isEqualTo(names);
    assertThat(browser.findElements(By.cssSelector("#graph path.edge"))).hasSize(
        vertices.stream().mapToInt(v -> ((JsonObject) v).getJsonArray("inputs").size()).sum());
    // the source reads: the page shows its rate once reported, and the REST API agrees that it reads
    new WebDriverWait(browser, WAIT).withMessage(() -> "source rate: " + column("vertices", 2))
        .until(d -> column("vertices", 2).get(0).matches("[0-9.]+( k| M)?") && !column("vertices", 2).get(0).equals("0"));
    JsonObject source = new JsonArray(get(via, "/jobs/" + id + "/vertices")).getJsonObject(0);
    assertThat(source.getBoolean("source")).isTrue();
    assertThat(source.getDouble("recordsInPerSecond")).isPositive();
    assertThat(column("vertices", 6)).allMatch(s -> s.matches("[0-9]+ %"), "back-pressure as a percentage");
    assertThat(column("vertices", 7).get(names.size() - 1)).as("watermark lag of the last vertex")
        .isNotEqualTo("no watermark");

    // checkpoints: the count grows, and what the page lists the REST API has
    long shown = Long.parseLong(awaitText("checkpoint-count", t -> t.matches("[1-9][0-9]*"), "a checkpoint count"));
    awaitText("checkpoint-count", t -> Long.parseLong(t) > shown, "more than " + shown + " checkpoints");
    long pageCount = Long.parseLong(text("checkpoint-count"));
    String newestOnPage = column("checkpoints", 0).get(0);
    JsonObject checkpoints = new JsonObject(get(via, "/jobs/" + id + "/checkpoints"));
    assertThat(pageCount).isLessThanOrEqualTo(checkpoints.getLong("completed"));
    assertThat(checkpoints.getJsonArray("history").stream().map(c -> String.valueOf(((JsonObject) c).getLong("id"))))
        .contains(newestOnPage);
    // state size: what GET /jobs/{id}/vertices reports for each vertex (the last completed checkpoint's), in the
    // table; it changes with each checkpoint, so the page and the API are compared in one step of the wait
    new WebDriverWait(browser, WAIT).withMessage(() -> "state column " + column("vertices", 9))
        .until(d -> {
          List<String> page = column("vertices", 9);
          JsonArray now;
          try {
            now = new JsonArray(get(via, "/jobs/" + id + "/vertices"));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          List<String> api = now.stream().map(JsonObject.class::cast)
              .map(v -> v.containsKey("stateBytes") ? bytesText(v.getLong("stateBytes")) : "\u2013").toList();
          return page.equals(api) && api.stream().anyMatch(t -> !t.equals("\u2013") && !t.equals("0 B"));
        });
    screenshot("running");

    // savepoint from the page: the answer names its directory, which the REST history lists and which holds one
    browser.findElement(By.id("action-savepoint")).click();
    String answer = awaitText("action-result", t -> t.startsWith("savepoint taken: ") || t.contains("failed"),
        "the savepoint's path");
    assertThat(answer).startsWith("savepoint taken: ");
    String savepoint = answer.substring("savepoint taken: ".length());
    assertThat(Path.of(savepoint).resolve("_metadata")).exists();
    JsonObject listed = new JsonObject(get(via, "/jobs/" + id + "/checkpoints")).getJsonArray("history").stream()
        .map(JsonObject.class::cast).filter(c -> "savepoint".equals(c.getString("kind"))).findFirst().orElseThrow();
    assertThat(listed.getString("path")).isEqualTo(savepoint);
    assertThat(listed.getString("status")).isEqualTo("COMPLETED");
    new WebDriverWait(browser, WAIT).withMessage(() -> "no savepoint row")
        .until(d -> !d.findElements(By.cssSelector("#checkpoints tr[data-kind='savepoint']")).isEmpty());
    screenshot("savepoint");

    // rescale from the page to 2: the REST API shows the job running at 2, and so does the page
    WebElement p = browser.findElement(By.id("rescale-parallelism"));
    p.clear();
    p.sendKeys("2");
    browser.findElement(By.id("action-rescale")).click();
    awaitText("action-result", t -> t.equals("rescaling to 2"), "rescaling to 2");
    JsonObject rescaled = awaitJob(via, id,
        j -> j.getInteger("parallelism") == 2 && "RUNNING".equals(j.getString("state")), "RUNNING at 2");
    assertThat(rescaled.getJsonObject("metrics").getLong("rescales")).isEqualTo(1L);
    awaitText("job-parallelism", "2"::equals, "parallelism 2");
    awaitText("job-state", "RUNNING"::equals, "RUNNING");
    JsonArray after = awaitVertices(via, id, 2);
    List<String> afterParallelism = after.stream().map(v -> String.valueOf(((JsonObject) v).getInteger("parallelism")))
        .toList();
    assertThat(afterParallelism).contains("2");
    new WebDriverWait(browser, WAIT).withMessage(() -> "vertex parallelism " + column("vertices", 1))
        .until(d -> column("vertices", 1).equals(afterParallelism));
    new WebDriverWait(browser, WAIT).withMessage(() -> "source rate after the rescale: " + column("vertices", 2))
        .until(d -> column("vertices", 2).get(0).matches("[0-9.]+( k| M)?"));
    screenshot("rescaled");

    // cancel from the page (with its confirmation): the REST API shows it CANCELED, and so does the page
    browser.findElement(By.id("action-cancel")).click();
    browser.findElement(By.id("action-cancel-yes")).click();
    awaitJob(via, id, j -> "CANCELED".equals(j.getString("state")), "CANCELED");
    awaitText("job-state", "CANCELED"::equals, "CANCELED");
    assertThat(browser.findElement(By.id("action-savepoint")).isEnabled()).as("actions of an ended job").isFalse();
    screenshot("canceled");
  }

  /** A byte count as the dashboard writes it (app.js {@code bytes}). */
  private static String bytesText(long n) {
    if (n >= 1L << 30) {
      return String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
    }
    if (n >= 1L << 20) {
      return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
    }
    if (n >= 1L << 10) {
      return String.format(java.util.Locale.ROOT, "%.1f KiB", n / (double) (1L << 10));
    }
    return n + " B";
  }

  /** The job's vertices once every subtask of the attempt at {@code parallelism} has reported. */
  private static JsonArray awaitVertices(ClusterNode via, String id, int parallelism) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    JsonArray v = null;
    while (System.currentTimeMillis() < deadline) {
      v = new JsonArray(get(via, "/jobs/" + id + "/vertices"));
      boolean all = !v.isEmpty() && v.stream().map(JsonObject.class::cast).allMatch(x ->
          x.getInteger("reportedSubtasks") == x.getInteger("parallelism") && x.getInteger("parallelism") <= parallelism)
          && v.stream().map(JsonObject.class::cast).anyMatch(x -> x.getInteger("parallelism") == parallelism);
      if (all) {
        return v;
      }
      Thread.sleep(100); // polls the condition
    }
    throw new AssertionError("vertices of " + id + " never all reported at parallelism " + parallelism + ": " + v);
  }
}
