package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Counter;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.runtime.TaskMetrics;
import io.eddy.runtime.TaskVerticle;
import io.eddy.testing.Jobs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fast source feeding a slow sink through small credits: the job must finish with every record,
 * while frames in flight and queued never exceed the credits and the records between source and
 * sink stay bounded, both in the final metrics and in the live metrics read while it runs.
 */
@Timeout(120)
class BackPressureTest {
  private static final int EVENTS = 100_000;
  private static final int PARALLELISM = 2;
  private static final int CREDITS = 4;
  private static final int MAX_RECORDS = 64;
  /** The records a source task reads per poll (TaskVerticle's batch), all of which may go pending. */
  private static final int SOURCE_BATCH = 1024;
  /** Vertices with chaining off: source -> map -> sink. */
  private static final int SOURCE_VERTEX = 0;
  private static final int SINK_VERTEX = 2;

  /** Counts and sums its records, and does some CPU work per record so that it is the bottleneck. */
  static final class SlowSink implements Sink<Long> {
    private final int workPerRecord;

    SlowSink() {
      this(6_000);
    }

    /** @param workPerRecord rounds of arithmetic per record (some microseconds for thousands) */
    SlowSink(int workPerRecord) {
      this.workPerRecord = workPerRecord;
    }

    @Override
    public SinkWriter<Long> createWriter(SinkContext context) {
      Counter count = context.counter("count");
      Counter sum = context.counter("sum");
      Counter work = context.counter("work");
      return new SinkWriter<>() {
        private long h;

        @Override
        public void write(Long price, long timestamp) {
          long x = price ^ h;
          for (int i = 0; i < workPerRecord; i++) { // some microseconds of arithmetic, never a sleep
            x ^= x >>> 31;
            x *= 0x9E3779B97F4A7C15L;
          }
          h = x;
          count.inc();
          sum.add(price);
        }

        @Override
        public Future<Void> finish() {
          work.add(h); // keeps the work observable, so it cannot be optimized away
          return Future.succeededFuture();
        }
      };
    }
  }

  /** The worst case the design allows between what sources sent and what sinks received. */
  private static long recordsInTransitBound() {
    // per lane (source j -> map j -> sink j): the source's pending frames from one poll, the
    // credits on both channels, and a few frames being filled, processed or sealed by the map
    long framesPerLane = SOURCE_BATCH / MAX_RECORDS + 2L * CREDITS + 8;
    return PARALLELISM * framesPerLane * MAX_RECORDS;
  }

  @ParameterizedTest(name = "serializeLocal {0}")
  @ValueSource(booleans = {false, true})
  void creditsBoundFramesInFlightWhileASlowSinkHoldsBackAFastSource(boolean serialize) throws Exception {
    JobConfig config = Jobs.config("test.BackPressure", PARALLELISM, false,
        new JsonObject().put("credits", CREDITS).put("maxRecords", MAX_RECORDS).put("serializeLocal", serialize),
        null);
    Jobs.Running job = Jobs.start(config, (pipeline, params) ->
        pipeline.source("bids", new BidSource(EVENTS))
            .map(b -> b.price()).name("price")
            .sink(new SlowSink()).name("slow"));
    List<String> violations = new ArrayList<>();
    long samples = 0;
    long maxLiveInFlight = 0;
    long maxGap = 0;
    JobResult r;
    try {
      while (!job.result().isDone()) {
        List<TaskVerticle> tasks = job.liveTasks();
        long sent = 0;
        for (TaskVerticle t : tasks) { // read the sources first, so the gap is never overstated
          if (t.id().vertex() == SOURCE_VERTEX) {
            sent += t.metrics().get(TaskMetrics.RECORDS_OUT);
          }
        }
        long received = 0;
        for (TaskVerticle t : tasks) {
          long inFlight = t.metrics().get(TaskMetrics.MAX_FRAMES_IN_FLIGHT);
          long queued = t.metrics().get(TaskMetrics.MAX_FRAMES_QUEUED);
          maxLiveInFlight = Math.max(maxLiveInFlight, inFlight);
          if (inFlight > CREDITS || queued > CREDITS) {
            violations.add(t.id() + ": in flight " + inFlight + ", queued " + queued);
          }
          if (t.id().vertex() == SINK_VERTEX) {
            received += t.metrics().get(TaskMetrics.RECORDS_IN);
          }
        }
        if (tasks.size() == 3 * PARALLELISM && received < EVENTS) {
          samples++;
          maxGap = Math.max(maxGap, sent - received);
        }
        Thread.sleep(1);
      }
      r = job.result().get(Jobs.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      Jobs.close(job.vertx());
    }

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long expectedSum = 0;
    for (int i = 0; i < EVENTS; i++) {
      expectedSum += BidGenerator.bid(i).price();
    }
    assertThat(r.metric("slow.count")).isEqualTo(EVENTS);
    assertThat(r.metric("slow.sum")).isEqualTo(expectedSum);

    assertThat(r.metric(TaskMetrics.MAX_FRAMES_IN_FLIGHT)).isPositive().isLessThanOrEqualTo(CREDITS);
    assertThat(r.metric(TaskMetrics.MAX_FRAMES_QUEUED)).isPositive().isLessThanOrEqualTo(CREDITS);
    // the sink is the bottleneck, so some channel used all its credit: the limit was reached, not avoided
    assertThat(r.metric(TaskMetrics.MAX_FRAMES_IN_FLIGHT)).isEqualTo(CREDITS);

    assertThat(samples).as("live samples taken while the job ran").isPositive();
    assertThat(violations).as("live metrics above the credits").isEmpty();
    assertThat(maxLiveInFlight).isPositive().isLessThanOrEqualTo(CREDITS);
    assertThat(maxGap).as("records sent by sources but not yet received by sinks")
        .isLessThanOrEqualTo(recordsInTransitBound());
  }
}
