package io.eddy.examples;

import io.eddy.api.AsyncOrder;
import io.eddy.api.BadRecord;
import io.eddy.api.DataStream;
import io.eddy.api.OutputTag;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.AsyncFunction;
import io.eddy.api.function.RichFunction;
import io.eddy.api.function.RuntimeContext;
import io.eddy.config.JobParams;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.file.TextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.vertx.core.Future;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;

/**
 * Enriches bids with their auction's seller and category from an HTTP service, one Vert.x web
 * client call per bid, with {@code asyncMap}: the calls run on the task's own event loop, at most
 * {@code capacity} at a time per subtask, and the output is
 * {@code <auction> <bidder> <price> <ts> <seller> <category>} per bid, in exactly-once part files.
 *
 * <p>The service answers {@code GET <serviceUrl>/auctions/<id>} with
 * {@code {"auction": id, "seller": s, "category": c}}; any other status fails the request (and so
 * the task). A call not answered within {@code timeoutMillis} follows the job's
 * {@code badRecords} policy; with {@code deadLetter}, the rejected bids are written to
 * {@code rejectedOutput}.
 *
 * <p>Parameters: {@code serviceUrl} (required), {@code output} (required), {@code events}
 * (10000), {@code rate} (events per second, 0 for unlimited), {@code ordered} (true),
 * {@code capacity} (64), {@code timeoutMillis} (1000), {@code rejectedOutput}.
 */
public final class BidEnrichment implements StreamJob {
  /** A bid with what the service knows of its auction. */
  public record EnrichedBid(int auction, int bidder, long price, long ts, int seller, int category) {
    public String line() {
      return auction + " " + bidder + " " + price + " " + ts + " " + seller + " " + category;
    }
  }

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    DataStream<EnrichedBid> enriched = enrich(
        pipeline.source("bids", new BidSource(params.getLong("events", 10_000), params.getLong("rate", 0))),
        params.require("serviceUrl"),
        params.getBoolean("ordered", true) ? AsyncOrder.ORDERED : AsyncOrder.UNORDERED,
        params.getInt("capacity", 64),
        Duration.ofMillis(params.getLong("timeoutMillis", 1000)));
    enriched.sink(new ExactlyOnceTextFileSink<>(params.require("output"), EnrichedBid::line)).name("write");
    String rejected = params.get("rejectedOutput");
    if (rejected != null) {
      enriched.sideOutput(OutputTag.BAD_RECORDS)
          .sink(new TextFileSink<BadRecord>(rejected, b -> b.record() + " " + b.reason())).name("rejected");
    }
  }

  /** The enrichment step: {@code bids} through an {@link AuctionLookup}, named "enrich". */
  public static DataStream<EnrichedBid> enrich(
      DataStream<Bid> bids, String serviceUrl, AsyncOrder order, int capacity, Duration timeout) {
    return bids.asyncMap(new AuctionLookup(serviceUrl, capacity, timeout.toMillis()), order, capacity, timeout)
        .name("enrich");
  }

  /**
   * One GET per bid with a web client created in {@link #open} on the task's Vert.x. Its pool has
   * room for every request the operator lets through, and then some: a request the operator timed
   * out keeps its connection until the HTTP timeout (twice the operator's) closes it.
   */
  public static final class AuctionLookup implements AsyncFunction<Bid, EnrichedBid>, RichFunction {
    private final String serviceUrl;
    private final int capacity;
    private final long timeoutMillis;
    private WebClient client;

    public AuctionLookup(String serviceUrl, int capacity, long timeoutMillis) {
      this.serviceUrl = serviceUrl;
      this.capacity = capacity;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void open(RuntimeContext context) {
      client = WebClient.create(context.vertx(), new io.vertx.ext.web.client.WebClientOptions(),
          new PoolOptions().setHttp1MaxSize(4 * capacity));
    }

    @Override
    public Future<EnrichedBid> asyncInvoke(Bid bid) {
      return client.getAbs(serviceUrl + "/auctions/" + bid.auction())
          .timeout(2 * timeoutMillis)
          .send()
          .map(response -> {
            if (response.statusCode() != 200) {
              throw new IllegalStateException("auction service answered " + response.statusCode()
                  + " for auction " + bid.auction());
            }
            JsonObject a = response.bodyAsJsonObject();
            return new EnrichedBid(bid.auction(), bid.bidder(), bid.price(), bid.ts(),
                a.getInteger("seller"), a.getInteger("category"));
          });
    }

    @Override
    public void close() {
      if (client != null) {
        client.close();
      }
    }
  }
}
