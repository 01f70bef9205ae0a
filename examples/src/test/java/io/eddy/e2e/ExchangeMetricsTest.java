package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.bench.Q1Stateless;
import io.eddy.runtime.TaskMetrics;
import io.eddy.testing.Jobs;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The task metrics count what crossed the exchange: records as records, frames as frames. */
@Timeout(120)
class ExchangeMetricsTest {

  @ParameterizedTest(name = "parallelism {0}, maxRecords {1}, serializeLocal {2}")
  @CsvSource({"1, 0, false", "2, 1, false", "2, 5, true", "4, 0, true"})
  void recordAndFrameCountersMatchTheRecordsThatFlowed(int parallelism, int maxRecords, boolean serialize)
      throws Exception {
    long events = 20_011;
    long selected = 0;
    for (long i = 0; i < events; i++) {
      if (BidGenerator.bid(i).auction() % 16 == 0) {
        selected++;
      }
    }
    JobConfig config = Jobs.config(Q1Stateless.class.getName(), parallelism, false,
        Jobs.frame(maxRecords, serialize), new JsonObject().put("events", events));

    JobResult r = Jobs.run(config, new Q1Stateless());

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    // chaining off: bids -> euro -> select -> sink, each a task of its own.
    // Out: the source and euro send every event, select sends the selected ones.
    assertThat(r.metric(TaskMetrics.RECORDS_OUT)).isEqualTo(events + events + selected);
    // In: the source counts what it read; euro and select receive every event, the sink the selected.
    assertThat(r.metric(TaskMetrics.RECORDS_IN)).isEqualTo(events + events + events + selected);
    assertThat(r.metric(TaskMetrics.FRAMES_IN)).isEqualTo(r.metric(TaskMetrics.FRAMES_OUT));
    if (maxRecords == 1) {
      // one record per frame, and each of the 3 edges x parallelism channels ends with its control frames
      assertThat(r.metric(TaskMetrics.FRAMES_OUT)).isGreaterThanOrEqualTo(events + events + selected);
    }
  }
}
