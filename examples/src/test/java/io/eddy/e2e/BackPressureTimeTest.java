package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskMetrics;
import io.eddy.runtime.TaskVerticle;
import io.eddy.testing.Jobs;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gauges a task reports for the dashboard, read from live tasks: a fast source feeding a slow sink spends most
 * of its time blocked on credit while the sink, which sends nothing, spends none; watermarks downstream never pass
 * the watermark upstream sent.
 */
@Timeout(120)
class BackPressureTimeTest {
  private static final int EVENTS = 100_000;

  @Test
  void aSourceHeldBackByASlowSinkIsBlockedOnCreditMostOfTheTime() throws Exception {
    JobConfig config = Jobs.config("test.BackPressureTime", 1, false,
        new JsonObject().put("credits", 4).put("maxRecords", 64), null);
    Jobs.Running job = Jobs.start(config, (pipeline, params) ->
        pipeline.source("bids", new BidSource(EVENTS))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Bid>forBoundedOutOfOrderness(Duration.ofMillis(100)))
            .name("watermarks")
            .map(b -> b.price()).name("price")
            .sink(new BackPressureTest.SlowSink()).name("slow"));
    long firstAt = 0;
    long firstBlocked = 0;
    long lastAt = 0;
    long lastBlocked = 0;
    long sinkBlocked = -1;
    long priceWatermark = Long.MIN_VALUE;
    long sentWatermark = Long.MIN_VALUE;
    int watermarkSamples = 0;
    JobResult r;
    try {
      while (!job.result().isDone()) {
        Map<String, TaskVerticle> byName = new java.util.HashMap<>();
        List<TaskVerticle> tasks = job.liveTasks();
        if (job.coordinator().plan() != null) {
          for (TaskVerticle t : tasks) {
            JobVertex v = job.coordinator().plan().vertex(t.id().vertex());
            byName.put(v.head().name(), t);
          }
        }
        TaskVerticle source = byName.get("bids");
        TaskVerticle watermarks = byName.get("watermarks");
        TaskVerticle price = byName.get("price");
        TaskVerticle sink = byName.get("slow");
        if (source != null && watermarks != null && price != null && sink != null) {
          long received = sink.metrics().get(TaskMetrics.RECORDS_IN);
          if (received > 2_000 && received < EVENTS / 2) {
            long now = System.nanoTime();
            long blocked = source.metrics().backPressuredNanos();
            if (firstAt == 0) {
              firstAt = now;
              firstBlocked = blocked;
            } else {
              lastAt = now;
              lastBlocked = blocked;
            }
            sinkBlocked = sink.metrics().backPressuredNanos();
            // downstream first: what it has seen was sent before what upstream reports now
            long seen = price.metrics().gauges().get("inputWatermark");
            long sent = watermarks.metrics().gauges().get("outputWatermark");
            if (seen != Long.MIN_VALUE) {
              assertThat(seen).as("the map's input watermark").isLessThanOrEqualTo(sent);
              priceWatermark = seen;
              sentWatermark = sent;
              watermarkSamples++;
            }
          }
        }
        Thread.sleep(2); // samples the running job
      }
      r = job.result().get(Jobs.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      Jobs.close(job.vertx());
    }
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("slow.count")).isEqualTo(EVENTS);
    assertThat(lastAt).as("samples while the sink was busy").isGreaterThan(firstAt);
    double share = (lastBlocked - firstBlocked) / (double) (lastAt - firstAt);
    System.out.printf("source blocked on credit %.1f %% of %d ms%n", share * 100, (lastAt - firstAt) / 1_000_000);
    assertThat(share).as("share of time the source waited for credit").isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
    assertThat(sinkBlocked).as("the sink sends nothing, so it never waits for credit").isZero();
    assertThat(watermarkSamples).as("watermarks seen downstream while it ran").isPositive();
    assertThat(priceWatermark).isLessThanOrEqualTo(sentWatermark).isGreaterThan(Long.MIN_VALUE);
  }
}
