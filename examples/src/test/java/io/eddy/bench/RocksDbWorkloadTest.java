package io.eddy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.cli.BenchWorkload;
import io.eddy.config.JobConfig;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.bench.Workloads;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * q5-window-rocksdb-ckpt gives q5-window-heap's outputs and checksum, both equal to a plain-loop
 * oracle; with a tiny window cache most accumulators go through RocksDB.
 */
@Timeout(120)
class RocksDbWorkloadTest {

  private static long[] oracle(long events) {
    Map<String, long[]> agg = new HashMap<>();
    for (long i = 0; i < events; i++) {
      Bid b = BidGenerator.bid(i);
      long ws = b.ts() - Math.floorMod(b.ts(), 10_000L);
      long[] a = agg.computeIfAbsent(ws + "/" + b.auction(), k -> new long[] {0, Long.MIN_VALUE, ws, 0});
      a[0]++;
      a[1] = Math.max(a[1], b.price());
      a[3] = b.auction();
    }
    long sum = 0;
    for (long[] a : agg.values()) {
      sum += ((a[2] / 1000) * 1_000_003L + a[3]) * 31 + a[0] * 17 + a[1];
    }
    return new long[] {agg.size(), sum};
  }

  private static JobResult run(BenchWorkload w, long events, int parallelism, JsonObject extra) throws Exception {
    JsonObject json = new JsonObject().put("name", w.name()).put("job", w.job().getClass().getName())
        .put("parallelism", parallelism).put("params", new JsonObject().put("events", events)).mergeIn(extra);
    Vertx vertx = Vertx.vertx();
    try {
      return new JobCoordinator(vertx, new JobDefinition(JobConfig.parse(json.encode(), "t"), w.job()), null).run()
          .toCompletionStage().toCompletableFuture().get(100, TimeUnit.SECONDS);
    } finally {
      vertx.close().await();
    }
  }

  @ParameterizedTest
  @CsvSource({"200000, 2, 100000", "77777, 3, 20", "77777, 2, 0"})
  void rocksDbCheckpointedQ5EqualsHeapQ5AndTheOracle(long events, int parallelism, int cache, @TempDir Path tmp)
      throws Exception {
    BenchWorkload rocks = new Workloads.Q5RocksDbCheckpoints();
    JsonObject settings = rocks.settings(tmp);
    settings.getJsonObject("checkpoints").put("intervalMillis", 50);
    settings.put("rocksdb", new JsonObject().put("windowCacheEntries", cache));
    JobResult r = run(rocks, events, parallelism, settings);
    JobResult h = run(new Workloads.Q5Heap(), events, parallelism, new JsonObject());
    assertThat(r.status()).as(r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(h.status()).as(h.error()).isEqualTo(JobStatus.FINISHED);
    long[] o = oracle(events);
    if (events == 200_000) {
      assertThat(o).containsExactly(20_231, -3734254723264696092L);
    }
    assertThat(r.metric("sink.outputs")).isEqualTo(o[0]).isEqualTo(h.metric("sink.outputs"));
    assertThat(r.metric("sink.checksum")).isEqualTo(o[1]).isEqualTo(h.metric("sink.checksum"));
    assertThat(r.metric("checkpoints.completed")).isPositive();
  }
}
