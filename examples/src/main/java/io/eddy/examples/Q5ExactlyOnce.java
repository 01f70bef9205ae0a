package io.eddy.examples;

import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.config.JobParams;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.eddy.examples.bench.Q5Window;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import java.time.Duration;

/**
 * The q5 window pipeline (bids per auction in tumbling 10 s event-time windows: count and highest
 * price) from the benchmark generator into exactly-once part files: one line
 * {@code <windowStartMillis> <auction> <count> <maxPrice>} per (window, auction), visible only
 * once the checkpoint that covers it has completed. Kill it at any point and resume it with
 * {@code --from-checkpoint latest}: the committed output ends up exactly the same.
 *
 * <p>Parameters: {@code events} (N), {@code rate} (events per second over all source subtasks, 0
 * for unlimited), {@code output} (a directory), {@code splits} (source splits; 0 for one per
 * subtask; set it to restore a savepoint at another parallelism).
 */
public final class Q5ExactlyOnce implements StreamJob {
  @Override
  public void build(Pipeline pipeline, JobParams params) {
    pipeline.source("bids", new BidSource(params.getLong("events", 1_000_000), params.getLong("rate", 0), params.getInt("splits", 0)))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(100)))
        .name("watermarks")
        .keyBy(Bid::auction)
        .window(TumblingWindows.<Bid>eventTime(Duration.ofSeconds(10)))
        .aggregate(new Q5Window.CountAndMax(), new Q5Window.ToStats())
        .name("window")
        .sink(new ExactlyOnceTextFileSink<Q5Window.AuctionStats>(params.requirePath("output"),
            s -> s.windowStart() + " " + s.auction() + " " + s.count() + " " + s.maxPrice()))
        .name("files");
  }
}
