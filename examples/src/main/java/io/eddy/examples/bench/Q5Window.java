package io.eddy.examples.bench;

import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.Collector;
import io.eddy.config.JobParams;
import io.eddy.connectors.counting.ChecksumSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.TimeWindow;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import java.time.Duration;

/**
 * Workload {@code q5-window-heap}: bids keyed by auction into tumbling 10 s event-time windows
 * (watermarks trail the highest timestamp by 100 ms, so no bid is late), counting bids and the
 * highest price per window and auction incrementally. Parameter: {@code events}.
 */
public final class Q5Window implements StreamJob {

  /** The result of one (window, auction). */
  public record AuctionStats(long windowStart, int auction, long count, long maxPrice) {
    /** The workload's per-output checksum (bench/WORKLOADS.md). */
    public long checksum() {
      return ((windowStart / 1000) * 1_000_003L + auction) * 31 + count * 17 + maxPrice;
    }
  }

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    pipeline.source("bids", new BidSource(params.getLong("events", 1_000_000), params.getLong("rate", 0)))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(100)))
        .name("watermarks")
        .keyBy(Bid::auction)
        .window(TumblingWindows.<Bid>eventTime(Duration.ofSeconds(10)))
        .aggregate(new CountAndMax(), new ToStats())
        .name("window")
        .sink(new ChecksumSink<AuctionStats>(AuctionStats::checksum))
        .name("sink");
  }

  /** Count and maximum price, in one mutable accumulator {count, max}. */
  public static final class CountAndMax implements AggregateFunction<Bid, long[], long[]> {
    @Override
    public long[] createAccumulator() {
      return new long[] {0, Long.MIN_VALUE};
    }

    @Override
    public long[] add(Bid bid, long[] acc) {
      acc[0]++;
      if (bid.price() > acc[1]) {
        acc[1] = bid.price();
      }
      return acc;
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], Math.max(a[1], b[1])};
    }
  }

  /** Adds the window and the key to the aggregate. */
  public static final class ToStats extends ProcessWindowFunction<long[], AuctionStats, Integer, TimeWindow> {
    @Override
    public void process(Integer auction, Context<TimeWindow> ctx, Iterable<long[]> results, Collector<AuctionStats> out) {
      long[] acc = results.iterator().next();
      out.collect(new AuctionStats(ctx.window().start(), auction, acc[0], acc[1]));
    }
  }
}
