package io.eddy.deployer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The REST API every node serves (vertx-web):
 * <ul>
 *   <li>{@code GET /nodes}: a JSON array of {@code {id, host, httpPort, slots, usedSlots, leader}}, one per current
 *       member that has advertised itself, ordered by id;</li>
 *   <li>{@code GET /jobs}, {@code GET /jobs/{id}}: the jobs submitted to this node, as
 *       {@code {id, name, state, parallelism, subtasks: [{vertex, subtask, node}], error?, metrics?}};</li>
 *   <li>{@code POST /jobs} (the job JSON): validates it (400 naming the field otherwise) and runs it
 *       on this node; answers {@code {"id": ...}};</li>
 *   <li>{@code POST /jobs/{id}/cancel}, {@code POST /jobs/{id}/savepoints[?stop=true]} (optional body
 *       {@code {"directory": ...}}; {@code stop}: cancel the job once the savepoint is taken), {@code POST /jobs/{id}/rescale?parallelism=N}; 404 for an
 *       unknown id;</li>
 *   <li>anything else: 404 (405 for a known path with another method) with {@code {"error": "..."}}.</li>
 * </ul>
 */
public final class RestVerticle extends VerticleBase {
  private final ClusterNode node;
  private final String host;
  private final int port;
  private volatile int actualPort = -1;
  private HttpServer server;

  /**
   * @param node the node whose cluster this serves
   * @param host the interface to listen on
   * @param port the port, 0 for any free one
   */
  public RestVerticle(ClusterNode node, String host, int port) {
    this.node = node;
    this.host = host;
    this.port = port;
  }

  /** @return the port listened on, once started */
  public int actualPort() {
    return actualPort;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/nodes").handler(this::nodes);
    jobs = new NodeJobs(vertx, node.nodeId());
    router.route("/jobs*").handler(io.vertx.ext.web.handler.BodyHandler.create().setBodyLimit(1 << 20));
    router.get("/jobs").handler(ctx -> ctx.json(jobs.list()));
    router.post("/jobs").handler(this::submit);
    router.get("/jobs/:id").handler(ctx -> {
      JsonObject j = jobs.get(ctx.pathParam("id"));
      if (j == null) {
        error(ctx, 404, "no job '" + ctx.pathParam("id") + "'");
      } else {
        ctx.json(j);
      }
    });
    router.post("/jobs/:id/cancel").handler(ctx -> {
      if (!jobs.cancel(ctx.pathParam("id"))) {
        error(ctx, 404, "no job '" + ctx.pathParam("id") + "'");
      } else {
        ctx.json(new JsonObject().put("id", ctx.pathParam("id")).put("canceled", true));
      }
    });
    router.post("/jobs/:id/savepoints").handler(this::savepoint);
    router.post("/jobs/:id/rescale").handler(this::rescale);
    router.errorHandler(404, ctx -> error(ctx, 404, "no such resource: " + ctx.request().method() + " "
        + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed: " + ctx.request().method() + " "
        + ctx.request().path()));
    router.errorHandler(500, ctx -> error(ctx, 500, ctx.failure() == null ? "internal error"
        : String.valueOf(ctx.failure())));
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e)))
        .onSuccess(s -> {
          server = s;
          actualPort = s.actualPort();
        });
  }

  private NodeJobs jobs;

  private void submit(RoutingContext ctx) {
    String body = ctx.body().asString();
    if (body == null || body.isBlank()) {
      error(ctx, 400, "the request body must be the job JSON");
      return;
    }
    try {
      ctx.json(new JsonObject().put("id", jobs.submit(body)));
    } catch (io.eddy.config.ConfigException | IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
    }
  }

  private void savepoint(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!jobs.exists(id)) {
      error(ctx, 404, "no job '" + id + "'");
      return;
    }
    String dir = null;
    String body = ctx.body().asString();
    if (body != null && !body.isBlank()) {
      try {
        dir = new JsonObject(body).getString("directory");
      } catch (RuntimeException e) {
        error(ctx, 400, "body: expected {\"directory\": \"...\"}, found " + body);
        return;
      }
    }
    jobs.savepoint(id, dir, "true".equals(ctx.queryParams().get("stop")))
        .onSuccess(p -> ctx.json(new JsonObject().put("id", id).put("savepoint", p.toString())))
        .onFailure(e -> error(ctx, 409, e.getMessage()));
  }

  private void rescale(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!jobs.exists(id)) {
      error(ctx, 404, "no job '" + id + "'");
      return;
    }
    int p;
    try {
      p = Integer.parseInt(ctx.queryParams().get("parallelism"));
      if (p < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      error(ctx, 400, "query parameter 'parallelism': expected a positive integer, found "
          + ctx.queryParams().get("parallelism"));
      return;
    }
    jobs.rescale(id, p)
        .onSuccess(sp -> ctx.json(new JsonObject().put("id", id).put("parallelism", p).put("savepoint", sp.toString())))
        .onFailure(e -> error(ctx, 409, e.getMessage()));
  }

  private void nodes(RoutingContext ctx) {
    Future<AsyncMap<String, JsonObject>> nodesMap = vertx.sharedData().getAsyncMap(ClusterNode.NODES_MAP);
    Future<AsyncMap<String, String>> clusterMap = vertx.sharedData().getAsyncMap(ClusterNode.CLUSTER_MAP);
    nodesMap.compose(AsyncMap::entries).compose(entries -> clusterMap.compose(c -> c.get(ClusterNode.LEADER_KEY))
        .map(leaderId -> {
          Set<String> members = new HashSet<>(node.members());
          List<JsonObject> live = entries.values().stream()
              .filter(n -> members.contains(n.getString("id")))
              .sorted(Comparator.comparing(n -> n.getString("id")))
              .map(n -> n.copy().put("leader", n.getString("id").equals(leaderId)))
              .toList();
          return new JsonArray(List.copyOf(live));
        }))
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", message).encode());
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
