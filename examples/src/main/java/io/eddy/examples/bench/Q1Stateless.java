package io.eddy.examples.bench;

import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.config.JobParams;
import io.eddy.connectors.counting.ChecksumSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;

/**
 * Workload {@code q1-stateless}: every bid's price converted to euros ({@code price * 908 / 1000}),
 * bids of auctions divisible by 16 kept, counted with the sum of their euro prices. Parameter:
 * {@code events}.
 */
public final class Q1Stateless implements StreamJob {
  @Override
  public void build(Pipeline pipeline, JobParams params) {
    pipeline.source("bids", new BidSource(params.getLong("events", 1_000_000), params.getLong("rate", 0)))
        .map(b -> new Bid(b.auction(), b.bidder(), b.price() * 908 / 1000, b.ts())).name("euro")
        .filter(b -> b.auction() % 16 == 0).name("select")
        .sink(new ChecksumSink<Bid>(Bid::price)).name("sink");
  }
}
