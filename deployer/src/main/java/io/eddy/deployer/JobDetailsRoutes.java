package io.eddy.deployer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The REST endpoints for a job's live details, read from the cluster map {@link JobRegistry#DETAILS_MAP} the
 * leader writes with every change of the job (so any node answers):
 * <ul>
 *   <li>{@code GET /jobs/{id}/vertices}: a JSON array, one object per vertex of the running attempt's plan, with its
 *       parallelism, inputs, records in/out (totals and per second), back-pressure, watermark and its lag (see
 *       {@link VertexMetrics#describe}); as of the last checkpoint, since the tasks report with their
 *       acknowledgements;</li>
 *   <li>{@code GET /jobs/{id}/checkpoints}: {@code {completed, failed, history, lastFailure?}} (see
 *       {@link CheckpointHistory#describe});</li>
 *   <li>404 with {@code {"error": ...}} for an unknown job.</li>
 * </ul>
 * Handlers run on the REST verticle's event loop and only read cluster maps.
 */
final class JobDetailsRoutes {
  private JobDetailsRoutes() {
  }

  /** Adds the routes to {@code router}. */
  static void mount(Router router, Vertx vertx) {
    router.get("/jobs/:id/vertices").handler(ctx -> details(ctx, vertx, "vertices", new JsonArray()));
    router.get("/jobs/:id/checkpoints").handler(ctx -> details(ctx, vertx, "checkpoints",
        new JsonObject().put("completed", 0).put("failed", 0).put("history", new JsonArray())));
  }

  private static void details(RoutingContext ctx, Vertx vertx, String part, Object none) {
    String id = ctx.pathParam("id");
    Future<JsonObject> job = vertx.sharedData().<String, JsonObject>getAsyncMap(JobRegistry.JOBS_MAP)
        .compose(m -> m.get(id));
    Future<JsonObject> details = vertx.sharedData().<String, JsonObject>getAsyncMap(JobRegistry.DETAILS_MAP)
        .compose(m -> m.get(id));
    Future.all(job, details).onSuccess(all -> {
      if (job.result() == null) {
        ctx.response().setStatusCode(404).putHeader("content-type", "application/json")
            .end(new JsonObject().put("error", "no job '" + id + "'").encode());
        return;
      }
      Object value = details.result() == null ? null : details.result().getValue(part);
      // a job that ended under a former leader has no live details
      ctx.json(value != null ? value : none);
    }).onFailure(ctx::fail);
  }
}
