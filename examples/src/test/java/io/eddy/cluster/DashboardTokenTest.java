package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.DashboardRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's side of REST authentication, in a real headless Chromium: a REST API that answers 401 without the
 * bearer token (here a small stand-in serving fixed JSON beside the real dashboard routes, since the node's REST has
 * no token yet) makes the page ask for the token once; after it is entered, every request carries it, and the
 * page's POSTs carry a JSON content type.
 */
class DashboardTokenTest {
  private static final String TOKEN = "s3cret-token";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** One request the stand-in saw: method, path, its Authorization and Content-Type headers. */
  private record Seen(String method, String path, String authorization, String contentType) {
  }

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private WebDriver browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private int serve() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    DashboardRoutes.mount(router);
    JsonObject job = new JsonObject().put("id", "j-1").put("name", "j").put("state", "RUNNING")
        .put("parallelism", 2).put("desiredParallelism", 2).put("attempt", 0)
        .put("submittedAt", System.currentTimeMillis()).put("metrics", new JsonObject().put("restarts", 0));
    router.route().handler(ctx -> {
      String path = ctx.request().path();
      if (path.equals("/") || path.startsWith("/dashboard/")) {
        ctx.next();
        return;
      }
      seen.add(new Seen(ctx.request().method().name(), path, ctx.request().getHeader("Authorization"),
          ctx.request().getHeader("Content-Type")));
      if (!("Bearer " + TOKEN).equals(ctx.request().getHeader("Authorization"))) {
        ctx.response().setStatusCode(401).putHeader("content-type", "application/json")
            .end(new JsonObject().put("error", "a bearer token is needed").encode());
        return;
      }
      ctx.next();
    });
    router.get("/nodes").handler(ctx -> ctx.json(new JsonArray().add(new JsonObject().put("id", "n-1")
        .put("host", "127.0.0.1").put("httpPort", 1).put("slots", 4).put("usedSlots", 2).put("leader", true))));
    router.get("/jobs").handler(ctx -> ctx.json(new JsonArray().add(job)));
    router.get("/jobs/j-1").handler(ctx -> ctx.json(job));
    router.get("/jobs/j-1/vertices").handler(ctx -> ctx.json(new JsonArray()));
    router.get("/jobs/j-1/checkpoints").handler(ctx -> ctx.json(new JsonObject().put("completed", 0)
        .put("failed", 0).put("history", new JsonArray())));
    router.post("/jobs/j-1/cancel").handler(ctx -> ctx.json(new JsonObject().put("id", "j-1").put("canceled", true)));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return server.actualPort();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aRefusedRequestAsksForTheTokenOnceAndEveryRequestThenCarriesIt() throws Exception {
    browser = DashboardBrowserTest.headlessChromium();
    int port = serve();
    browser.get("http://127.0.0.1:" + port + "/");
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.withMessage(() -> "the token dialog did not open").until(d -> d.findElement(By.id("token-dialog")).isDisplayed());
    assertThat(seen).as("requests before the token").isNotEmpty()
        .allMatch(s -> s.authorization() == null, "no Authorization before a token is known");

    browser.findElement(By.id("token-input")).sendKeys(TOKEN);
    browser.findElement(By.id("token-save")).click();
    wait.withMessage(() -> "the page did not show the cluster after the token")
        .until(d -> d.findElement(By.id("node-count")).getText().equals("1"));
    assertThat(browser.findElement(By.id("leader")).getText()).isEqualTo("n-1");
    assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('eddy.token')"))
        .isEqualTo(TOKEN);

    // the only job is shown; cancel it from the page: the POST carries the token and a JSON content type
    wait.withMessage(() -> "no job detail").until(d -> d.findElement(By.id("job-state")).getText().equals("RUNNING"));
    browser.findElement(By.id("action-cancel")).click();
    browser.findElement(By.id("action-cancel-yes")).click();
    wait.withMessage(() -> "no answer to the cancel: " + browser.findElement(By.id("action-result")).getText())
        .until(d -> d.findElement(By.id("action-result")).getText().equals("canceled"));
    List<Seen> all = List.copyOf(seen);
    // the first poll's two requests were refused; while the dialog was open the page did not poll on
    assertThat(all).as("requests seen: %s", all).filteredOn(s -> s.authorization() == null).hasSizeBetween(1, 2);
    List<Seen> after = all.stream().filter(s -> s.authorization() != null).toList();
    assertThat(after).as("requests after the token").isNotEmpty()
        .allMatch(s -> ("Bearer " + TOKEN).equals(s.authorization()), "every request carries the token");
    assertThat(after).filteredOn(s -> s.method().equals("POST")).hasSize(1)
        .allMatch(s -> s.path().equals("/jobs/j-1/cancel") && "application/json".equals(s.contentType()));
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).as("asked once").isFalse();
  }
}
