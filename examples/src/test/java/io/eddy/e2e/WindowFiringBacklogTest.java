package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.runtime.OutputBacklog;
import io.eddy.runtime.TaskMetrics;
import io.eddy.testing.Jobs;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One window firing of millions of results into a sink slower than the window: the window operator
 * yields whenever an output channel holds its maximum of frames waiting for credit and resumes when
 * credit comes, so no channel ever holds more than a fixed number of frames (before, the whole firing
 * was queued within one event-loop turn: some two thousand frames here). The results are exact.
 */
@Timeout(300)
class WindowFiringBacklogTest {
  private static final int KEYS = 2_000_000;

  @Test
  void aWindowFiringOfMillionsOfResultsStaysWithinAFixedNumberOfFramesPerChannel() throws Exception {
    java.util.List<Long> keys = LongStream.range(0, KEYS).boxed().toList();
    JobConfig config = Jobs.config("test.WindowFiringBacklog", 2, false, new JsonObject().put("credits", 4), null);
    JobResult r = Jobs.run(config, (pipeline, params) ->
        pipeline.source("keys", CollectionSource.withTimestamps(keys, k -> 1_000L)).parallelism(1)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()).name("watermarks")
            .keyBy(k -> k)
            // one window per key, all firing at once at the end of input
            .window(TumblingWindows.<Long>eventTime(Duration.ofHours(1)))
            .reduce((a, b) -> a + b).name("window")
            .sink(new BackPressureTest.SlowSink(1_000)).name("slow")); // slower than the window

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long expectedSum = 0;
    for (long k = 0; k < KEYS; k++) {
      expectedSum += k;
    }
    assertThat(r.metric("slow.count")).isEqualTo(KEYS);
    assertThat(r.metric("slow.sum")).isEqualTo(expectedSum);
    // a flush may seal the frame being filled on top of the full ones
    assertThat(r.metric(TaskMetrics.MAX_FRAMES_BACKLOGGED))
        .as("most frames one output channel held without credit")
        .isGreaterThanOrEqualTo(OutputBacklog.MAX_FRAMES_PER_CHANNEL) // the bound was reached, not avoided
        .isLessThanOrEqualTo(OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1);
  }
}
