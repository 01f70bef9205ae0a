package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Pipeline;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.graph.ExecutionPlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-vertex figures the dashboard shows, from subtask reports made up here: rates, back-pressure share,
 * watermark and lag are compared with the same figures computed directly from the reports.
 */
class VertexMetricsTest {
  /** A source that is never run: only the plan is needed. */
  static final class NoSource implements Source<Integer> {
    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("planning only");
    }

    @Override
    public SourceReader<Integer> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("planning only");
    }
  }

  /** source x3 -> (hash) -> process x3 -> sink: two vertices. */
  private static ExecutionPlan plan() {
    Pipeline p = new Pipeline();
    p.source("numbers", new NoSource()).keyBy(x -> x % 7)
        .reduce(Integer::sum).name("sum")
        .sink(context -> {
          throw new UnsupportedOperationException("planning only");
        }).name("out");
    return ExecutionPlan.of(p.graph(), 3, 128);
  }

  private static java.util.Map<String, Long> counters(long in, long out) {
    return java.util.Map.of("recordsIn", in, "recordsOut", out);
  }

  private static java.util.Map<String, Long> gauges(long at, long since, long blockedNanos, long inWm, long outWm,
      long alignNanos) {
    return java.util.Map.of("atMillis", at, "runningSinceMillis", since, "backPressuredNanos", blockedNanos,
        "inputWatermark", inWm, "outputWatermark", outWm, "alignmentNanos", alignNanos);
  }

  @Test
  void ratesAndSharesAreTheChangeSinceThePreviousReportOverTheTimeBetween() {
    ExecutionPlan plan = plan();
    assertThat(plan.vertices()).hasSize(2);
    int source = plan.vertices().get(0).id();
    int sum = plan.vertices().get(1).id();
    VertexMetrics m = new VertexMetrics();
    Random random = new Random(11);
    long start = 1_000_000;
    long[] in = new long[3];
    long[] out = new long[3];
    long[] blocked = new long[3];
    long[] at = {start, start, start};
    double expectedInRate = 0;
    double expectedShare = 0;
    long lowestWatermark = Long.MAX_VALUE;
    long latest = 0;
    for (int round = 0; round < 5; round++) {
      expectedInRate = 0;
      expectedShare = 0;
      lowestWatermark = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        long millis = 200 + random.nextInt(800);
        long records = random.nextInt(100_000);
        long blockedNow = (long) (millis * 1e6 * random.nextDouble());
        long from = at[i];
        at[i] += millis;
        in[i] += records;
        out[i] += records;
        blocked[i] += blockedNow;
        long watermark = at[i] - 50 - random.nextInt(1000);
        m.onReport(source, i, counters(in[i], out[i]), gauges(at[i], start, blocked[i], Long.MIN_VALUE, watermark, 0));
        expectedInRate += records * 1000.0 / (at[i] - from);
        expectedShare = Math.max(expectedShare, blockedNow / (millis * 1e6));
        lowestWatermark = Math.min(lowestWatermark, watermark);
        latest = Math.max(latest, at[i]);
      }
    }
    JsonArray described = m.describe(plan);
    JsonObject s = described.getJsonObject(0);
    assertThat(s.getInteger("id")).isEqualTo(source);
    assertThat(s.getBoolean("source")).isTrue();
    assertThat(s.getInteger("parallelism")).isEqualTo(3);
    assertThat(s.getInteger("reportedSubtasks")).isEqualTo(3);
    assertThat(s.getLong("recordsIn")).isEqualTo(in[0] + in[1] + in[2]);
    assertThat(s.getDouble("recordsInPerSecond")).isCloseTo(expectedInRate, org.assertj.core.data.Offset.offset(0.06));
    assertThat(s.getDouble("backPressure")).isCloseTo(expectedShare, org.assertj.core.data.Offset.offset(0.0006));
    assertThat(s.getLong("watermark")).isEqualTo(lowestWatermark);
    assertThat(s.getLong("watermarkLagMillis")).isEqualTo(latest - lowestWatermark);
    // the keyed vertex has not reported: its figures are absent, not zero
    JsonObject k = described.getJsonObject(1);
    assertThat(k.getInteger("id")).isEqualTo(sum);
    assertThat(k.getInteger("reportedSubtasks")).isZero();
    assertThat(k.containsKey("recordsInPerSecond")).isFalse();
    assertThat(k.getJsonArray("inputs")).hasSize(1);
    assertThat(k.getJsonArray("inputs").getJsonObject(0).getInteger("vertex")).isEqualTo(source);
    assertThat(k.getJsonArray("inputs").getJsonObject(0).getString("partitioning")).isEqualTo("HASH");
  }

  @Test
  void theFirstReportCountsFromWhenTheSubtaskStartedAndANewAttemptStartsOver() {
    ExecutionPlan plan = plan();
    int sum = plan.vertices().get(1).id();
    VertexMetrics m = new VertexMetrics();
    // 3 s after it started: 6000 in, blocked 1.5 s; its input watermark; one subtask has none yet
    m.onReport(sum, 0, counters(6000, 3000), gauges(13_000, 10_000, 1_500_000_000L, 12_000, 11_000, 7_000_000));
    m.onReport(sum, 1, counters(0, 0), gauges(13_000, 10_000, 0, Long.MIN_VALUE, Long.MIN_VALUE, 0));
    JsonObject k = m.describe(plan).getJsonObject(1);
    assertThat(k.getDouble("recordsInPerSecond")).isEqualTo(2000.0);
    assertThat(k.getDouble("recordsOutPerSecond")).isEqualTo(1000.0);
    assertThat(k.getDouble("backPressure")).isEqualTo(0.5);
    assertThat(k.getLong("alignmentMillis")).isEqualTo(7);
    assertThat(k.containsKey("watermark")).as("a subtask without a watermark holds the vertex's back").isFalse();
    m.onReport(sum, 1, counters(10, 0), gauges(14_000, 10_000, 0, 12_500, Long.MIN_VALUE, 0));
    m.onReport(sum, 2, counters(10, 0), gauges(14_000, 10_000, 0, 12_200, Long.MIN_VALUE, 0));
    k = m.describe(plan).getJsonObject(1);
    assertThat(k.getLong("watermark")).isEqualTo(12_000);
    assertThat(k.getLong("watermarkLagMillis")).isEqualTo(2_000);

    m.newAttempt();
    k = m.describe(plan).getJsonObject(1);
    assertThat(k.getInteger("reportedSubtasks")).isZero();
  }

  @Test
  void stateSizesAreEachSubtasksLastReportAndTheirSumPerVertex() {
    ExecutionPlan plan = plan();
    int sum = plan.vertices().get(1).id();
    VertexMetrics m = new VertexMetrics();
    Random r = new Random(11);
    long[] last = new long[3];
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 3; i++) {
        if (round == 3 && i == 2) {
          continue; // subtask 2 keeps its earlier figure
        }
        last[i] = r.nextInt(1 << 20);
        java.util.Map<String, Long> g = new java.util.HashMap<>(gauges(1000 + round, 0, 0, 0, 0, 0));
        g.put("stateBytes", last[i]);
        m.onReport(sum, i, counters(round, round), g);
      }
    }
    m.onReport(plan.vertices().get(0).id(), 0, counters(1, 1), gauges(1000, 0, 0, 0, 0, 0)); // no state reported
    JsonArray described = m.describe(plan);
    JsonObject source = described.getJsonObject(0);
    assertThat(source.containsKey("stateBytes")).as("a vertex whose subtasks reported no state size").isFalse();
    JsonObject v = described.getJsonObject(1);
    assertThat(v.getLong("stateBytes")).isEqualTo(last[0] + last[1] + last[2]);
    JsonArray subtasks = v.getJsonArray("subtasks");
    for (int i = 0; i < 3; i++) {
      assertThat(subtasks.getJsonObject(i).getInteger("subtask")).isEqualTo(i);
      assertThat(subtasks.getJsonObject(i).getLong("stateBytes")).isEqualTo(last[i]);
    }
    m.newAttempt();
    assertThat(m.describe(plan).getJsonObject(1).containsKey("stateBytes")).as("after a new attempt").isFalse();
  }

  @Test
  void aFormerLeadersFiguresStandUntilTheNewAttemptReports() {
    ExecutionPlan plan = plan();
    int sum = plan.vertices().get(1).id();
    VertexMetrics former = new VertexMetrics();
    former.onReport(sum, 0, counters(6000, 3000), gauges(13_000, 10_000, 0, 12_000, 11_000, 0));
    JsonArray published = former.describe(plan);

    VertexMetrics next = new VertexMetrics();
    next.carry(new JsonArray(published.encode()));
    next.newAttempt();
    assertThat(next.describe(plan)).isEqualTo(published);
    next.onReport(sum, 0, counters(10, 5), gauges(20_000, 19_000, 0, 19_500, 19_400, 0));
    JsonObject k = next.describe(plan).getJsonObject(1);
    assertThat(k.getLong("recordsIn")).as("the new attempt's own figures").isEqualTo(10L);
    assertThat(next.describe(plan).getJsonObject(0).getInteger("reportedSubtasks")).isZero();
  }
}
