package io.eddy.deployer;

import io.eddy.deployer.control.DeployerMessage;
import io.eddy.deployer.control.JobRequest;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The REST API every node serves (vertx-web):
 * <ul>
 *   <li>{@code GET /nodes}: a JSON array of {@code {id, host, httpPort, slots, usedSlots, leader}}, one per current
 *       member that has advertised itself, ordered by id;</li>
 *   <li>{@code GET /jobs}, {@code GET /jobs/{id}}: the cluster's jobs, read from the registry map
 *       {@link JobRegistry#JOBS_MAP}, as {@code {id, name, state, parallelism, desiredParallelism, attempt,
 *       subtasks: [{vertex, subtask, node}], reason?, error?, metrics, config, source}};</li>
 *   <li>{@code POST /jobs[?fromSavepoint=DIR]} (the job JSON): the leader validates it (400 naming the field
 *       otherwise, or the savepoint that is not one of this job) and places it on the cluster's slots, restoring the
 *       savepoint if given; answers {@code {"id": ...}};</li>
 *   <li>{@code POST /jobs/{id}/cancel}, {@code POST /jobs/{id}/savepoints[?stop=true]} (optional body
 *       {@code {"directory": ...}}; {@code stop}: cancel the job once the savepoint is taken),
 *       {@code POST /jobs/{id}/rescale?parallelism=N}; 404 for an unknown id, 409 when the job's state refuses;</li>
 *   <li>{@code GET /jobs/{id}/vertices}, {@code GET /jobs/{id}/checkpoints}: see {@link JobDetailsRoutes};</li>
 *   <li>{@code GET /metrics}: Prometheus text (see {@link NodeMetrics});</li>
 *   <li>{@code GET /}: the web dashboard (see {@link DashboardRoutes});</li>
 *   <li>mutations are forwarded to the leader over the event bus ({@link JobRegistry#ADDRESS}); 503 while no
 *       leader has been elected;</li>
 *   <li>{@code GET /health}: 200 while the node runs (liveness); {@code GET /ready}: 200 once the node is a member of
 *       the cluster, sees a quorum of its {@code clusterSize} nodes and a live leader is known, 503 with the reason
 *       otherwise;</li>
 *   <li>anything else: 404 (405 for a known path with another method) with {@code {"error": "..."}}.</li>
 * </ul>
 *
 * <p>Every request passes {@link RestGuard} first: a foreign {@code Origin} is refused (403), a missing or wrong
 * bearer token when the node has one (401; {@code /health} and {@code /ready} need none), a POST whose body is not
 * declared JSON (415). Bodies are read into memory up to 1 MiB (413 beyond); no upload is ever stored. With
 * {@code restTlsCertificate}/{@code restTlsKey} the server speaks HTTPS only.
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
    NodeConfig config = node.config();
    router.route().handler(new RestGuard(config.restToken(), config.restTls() != null));
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    // no uploads: a multipart body is refused by the guard, and nothing is ever written to disk
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/nodes").handler(this::nodes);
    node.metrics().mount(router, vertx, node);
    router.get("/jobs").handler(ctx -> jobsMap().compose(AsyncMap::entries).onSuccess(entries -> {
      List<JsonObject> all = validJobs(entries).stream().sorted(Comparator.comparing(j -> j.getString("id"))).toList();
      ctx.json(new JsonArray(List.copyOf(all)));
    }).onFailure(ctx::fail));
    router.post("/jobs").handler(this::submit);
    router.get("/jobs/:id").handler(ctx -> jobsMap().compose(m -> m.get(ctx.pathParam("id"))).onSuccess(entry -> {
      JsonObject j = entry == null ? null : ClusterMapEntries.job(ctx.pathParam("id"), entry);
      if (j == null) {
        error(ctx, 404, "no job '" + ctx.pathParam("id") + "'");
      } else {
        ctx.json(withoutDetails(j));
      }
    }).onFailure(ctx::fail));
    router.post("/jobs/:id/cancel").handler(ctx ->
        forward(ctx, new JobRequest.Cancel(ctx.pathParam("id"))));
    router.post("/jobs/:id/savepoints").handler(this::savepoint);
    router.post("/jobs/:id/rescale").handler(this::rescale);
    JobDetailsRoutes.mount(router, vertx);
    DashboardRoutes.mount(router);
    router.errorHandler(404, ctx -> error(ctx, 404, "no such resource: " + ctx.request().method() + " "
        + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed: " + ctx.request().method() + " "
        + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "request body larger than " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, ctx.failure() == null ? "internal error"
        : String.valueOf(ctx.failure())));
    HttpServerOptions options = new HttpServerOptions();
    if (config.restTls() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.restTls().certificate()).setKeyPath(config.restTls().key()));
    }
    return vertx.createHttpServer(options).requestHandler(router).listen(port, host)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e)))
        .onSuccess(s -> {
          server = s;
          actualPort = s.actualPort();
        });
  }

  private static final long MAX_BODY_BYTES = 1 << 20;

  /** Ready: this node is a member, sees a quorum, and the leader record names a live member. */
  private void ready(RoutingContext ctx) {
    List<String> members = node.members();
    if (!members.contains(node.nodeId())) {
      error(ctx, 503, "not a member of the cluster");
      return;
    }
    String noQuorum = node.quorumProblem();
    if (noQuorum != null) {
      error(ctx, 503, noQuorum); // the leader record it may still read is stale on this side of a partition
      return;
    }
    vertx.sharedData().<String, Object>getAsyncMap(ClusterNode.CLUSTER_MAP).compose(c -> c.get(ClusterNode.LEADER_KEY))
        .onSuccess(record -> {
          String id = ClusterMapEntries.leader(record);
          if (id != null && members.contains(id)) {
            ctx.json(new JsonObject().put("status", "READY").put("node", node.nodeId()).put("leader", id)
                .put("members", members.size()));
          } else {
            error(ctx, 503, "no leader is known yet");
          }
        })
        .onFailure(e -> error(ctx, 503, "cannot read the cluster map: " + e.getMessage()));
  }

  /** Values as Object: a malformed entry must reach {@link ClusterMapEntries}, not fail a cast in a handler. */
  private Future<AsyncMap<String, Object>> jobsMap() {
    return vertx.sharedData().getAsyncMap(JobRegistry.JOBS_MAP);
  }

  /** Sends a mutation to the leader and answers with its reply, or with the status code it failed with. */
  private void forward(RoutingContext ctx, JobRequest request) {
    forward(ctx, request, System.currentTimeMillis() + ELECTION_WAIT_MILLIS);
  }

  private void forward(RoutingContext ctx, JobRequest request, long waitForLeaderUntil) {
    vertx.eventBus().<JsonObject>request(JobRegistry.ADDRESS, request, DeployerMessage.delivery(LEADER_TIMEOUT_MILLIS))
        .onSuccess(reply -> ctx.json(reply.body()))
        .onFailure(e -> {
          if (e instanceof ReplyException r) {
            switch (r.failureType()) {
              case RECIPIENT_FAILURE -> error(ctx, r.failureCode() >= 400 ? r.failureCode() : 500, r.getMessage());
              case NO_HANDLERS -> {
                // between leaders (at start-up, or after the leader's node died): wait for the next one
                if (System.currentTimeMillis() < waitForLeaderUntil) {
                  vertx.setTimer(100, t -> forward(ctx, request, waitForLeaderUntil));
                } else {
                  error(ctx, 503, "no leader has been elected; try again in a few seconds");
                }
              }
              default -> error(ctx, 504, "the leader did not answer within " + LEADER_TIMEOUT_MILLIS + " ms");
            }
          } else {
            error(ctx, 500, String.valueOf(e.getMessage()));
          }
        });
  }

  private static final long LEADER_TIMEOUT_MILLIS = 120_000;
  private static final long ELECTION_WAIT_MILLIS = 15_000;

  private void submit(RoutingContext ctx) {
    String body = ctx.body().asString();
    if (body == null || body.isBlank()) {
      error(ctx, 400, "the request body must be the job JSON");
      return;
    }
    forward(ctx, new JobRequest.Submit(body, ctx.queryParams().get("fromSavepoint")));
  }

  private void savepoint(RoutingContext ctx) {
    String id = ctx.pathParam("id");
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
    forward(ctx, new JobRequest.TakeSavepoint(id, dir, "true".equals(ctx.queryParams().get("stop"))));
  }

  private void rescale(RoutingContext ctx) {
    String id = ctx.pathParam("id");
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
    forward(ctx, new JobRequest.Rescale(id, p));
  }

  private void nodes(RoutingContext ctx) {
    Future<AsyncMap<String, Object>> nodesMap = vertx.sharedData().getAsyncMap(ClusterNode.NODES_MAP);
    Future<AsyncMap<String, Object>> clusterMap = vertx.sharedData().getAsyncMap(ClusterNode.CLUSTER_MAP);
    nodesMap.compose(AsyncMap::entries).compose(entries -> clusterMap.compose(c -> c.get(ClusterNode.LEADER_KEY))
        .map(leaderId -> {
          Set<String> members = new HashSet<>(node.members());
          List<JsonObject> live = validNodes(entries).stream()
              .filter(n -> members.contains(n.getString("id")))
              .sorted(Comparator.comparing(n -> n.getString("id")))
              .map(n -> n.copy().put("leader", n.getString("id").equals(ClusterMapEntries.leader(leaderId))))
              .toList();
          return new JsonArray(List.copyOf(live));
        }))
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  private static List<JsonObject> validNodes(java.util.Map<String, ?> entries) {
    return entries.entrySet().stream().map(e -> ClusterMapEntries.node(e.getKey(), e.getValue()))
        .filter(java.util.Objects::nonNull).toList();
  }

  private static List<JsonObject> validJobs(java.util.Map<String, ?> entries) {
    return entries.entrySet().stream().map(e -> ClusterMapEntries.job(e.getKey(), e.getValue()))
        .filter(java.util.Objects::nonNull).map(RestVerticle::withoutDetails).toList();
  }

  /** A job entry without the details it carries for the next leader: {@code /jobs/{id}/...} serves those. */
  private static JsonObject withoutDetails(JsonObject job) {
    if (!job.containsKey(JobRegistry.DETAILS_KEY)) {
      return job;
    }
    JsonObject j = job.copy();
    j.remove(JobRegistry.DETAILS_KEY);
    return j;
  }

  static void error(RoutingContext ctx, int status, String message) {
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
