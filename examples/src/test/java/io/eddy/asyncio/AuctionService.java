package io.eddy.asyncio;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * The HTTP service the async I/O tests enrich bids from, on its own Vert.x, on loopback and a free
 * port: {@code GET /auctions/<id>} answers {@code {"auction": id, "seller": s, "category": c}}
 * after a delay chosen per auction (on a timer, never blocking), or never for auctions the test
 * wants to hang. It counts the requests it is answering at once and their maximum. Once
 * constructed it has answered a web-client request, so the JVM's first-request costs are paid.
 */
final class AuctionService implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  final AtomicInteger concurrent = new AtomicInteger();
  final AtomicInteger maxConcurrent = new AtomicInteger();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong hung = new AtomicLong();

  static int seller(int auction) {
    return (auction * 31) % 1000;
  }

  static int category(int auction) {
    return auction % 10;
  }

  AuctionService(IntToLongFunction delayMillis, IntPredicate hang) throws Exception {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> {
          String path = request.path();
          if (path.equals("/ready")) {
            request.response().putHeader("content-type", "application/json").end("{\"ready\": true}");
            return;
          }
          if (!path.startsWith("/auctions/")) {
            request.response().setStatusCode(404).end();
            return;
          }
          int auction = Integer.parseInt(path.substring("/auctions/".length()));
          requests.incrementAndGet();
          if (hang.test(auction)) {
            hung.incrementAndGet();
            return; // never answered: the caller's timeout decides
          }
          int now = concurrent.incrementAndGet();
          maxConcurrent.accumulateAndGet(now, Math::max);
          String body = new JsonObject().put("auction", auction).put("seller", seller(auction))
              .put("category", category(auction)).encode();
          Runnable answer = () -> {
            concurrent.decrementAndGet();
            request.response().putHeader("content-type", "application/json").end(body);
          };
          long delay = delayMillis.applyAsLong(auction);
          if (delay <= 0) {
            answer.run();
          } else {
            vertx.setTimer(delay, t -> answer.run());
          }
        })
        .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The first web-client request of a JVM takes seconds on a busy machine (class loading): make
    // it here, so that the jobs' requests are timed against the service, not against that.
    WebClient client = WebClient.create(vertx);
    client.getAbs(url() + "/ready").send().map(r -> r.bodyAsJsonObject().getBoolean("ready"))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    client.close();
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
