package io.eddy.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.bench.Q5Window;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Workload q5-window-heap (bench/WORKLOADS.md): Q5Window's outputs and checksum equal an oracle
 * computed here from the workload's definition with a plain loop and a HashMap.
 */
@Timeout(180)
class Q5WindowTest {
  /** The published reference values for N = 200,000. */
  static final long REFERENCE_OUTPUTS = 20_231;
  static final long REFERENCE_CHECKSUM = -3734254723264696092L;

  /** Event i of the generator, as WORKLOADS.md defines it: {auction, price, ts}. */
  static long[] event(long i) {
    long h = (i + 1) * 0x9E3779B97F4A7C15L;
    h ^= (h >>> 32);
    h *= 0xBF58476D1CE4E5B9L;
    h ^= (h >>> 29);
    long auction = (h & 0x7fffffffL) % 10_000;
    long price = 100 + ((h >>> 8) & 0xffffL) % 10_000;
    long ts = 1_700_000_000_000L + i / 10 - ((h >>> 40) & 0xffffL) % 50;
    return new long[] {auction, price, ts};
  }

  /** {outputs, checksum} of q5-window-heap over N events. */
  static long[] oracle(long n) {
    Map<Long, long[]> windows = new HashMap<>(); // (windowStart, auction) -> {windowStart, auction, count, max}
    for (long i = 0; i < n; i++) {
      long[] e = event(i);
      long windowStart = e[2] - e[2] % 10_000;
      long id = windowStart / 10_000 * 10_000 + e[0]; // windows are 10,000 ms apart; auctions < 10,000
      long[] acc = windows.computeIfAbsent(id, k -> new long[] {windowStart, e[0], 0, Long.MIN_VALUE});
      acc[2]++;
      acc[3] = Math.max(acc[3], e[1]);
    }
    long checksum = 0;
    for (long[] w : windows.values()) {
      checksum += ((w[0] / 1000) * 1_000_003L + w[1]) * 31 + w[2] * 17 + w[3];
    }
    return new long[] {windows.size(), checksum};
  }

  static JobResult runQ5(long events, int parallelism, String extra) throws Exception {
    String json = "{\"job\":\"" + Q5Window.class.getName() + "\",\"parallelism\":" + parallelism
        + ",\"params\":{\"events\":" + events + "}" + (extra.isEmpty() ? "" : "," + extra) + "}";
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      JobConfig cfg = JobConfig.parse(json, "q5-test");
      JobResult r = new io.eddy.deployer.JobCoordinator(vertx, new io.eddy.graph.JobDefinition(cfg, new Q5Window()))
          .run().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      return r;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static void assertMatchesOracle(JobResult r, long events) {
    long[] expected = oracle(events);
    assertThat(r.metric("sink.outputs")).as("outputs").isEqualTo(expected[0]);
    assertThat(r.metric("sink.checksum")).as("checksum").isEqualTo(expected[1]);
    assertThat(r.metric("window.lateRecordsDropped")).isZero();
  }

  @Test
  void oracleReproducesThePublishedReferenceValues() {
    long[] o = oracle(200_000);
    assertThat(o[0]).isEqualTo(REFERENCE_OUTPUTS);
    assertThat(o[1]).isEqualTo(REFERENCE_CHECKSUM);
  }

  @Test
  void generatorFollowsTheWorkloadDefinition() {
    for (long i = 0; i < 20_000; i++) {
      long[] e = event(i);
      Bid b = BidGenerator.bid(i);
      assertThat(new long[] {b.auction(), b.price(), b.ts()}).as("event %d", i).isEqualTo(e);
    }
  }

  @ParameterizedTest(name = "events {0}, parallelism {1}")
  @CsvSource({"200000, 1", "200000, 2", "200000, 4", "77777, 1", "77777, 2", "77777, 4"})
  void q5WindowHeapMatchesTheOracle(long events, int parallelism) throws Exception {
    assertMatchesOracle(runQ5(events, parallelism, ""), events);
  }
}
