package io.eddy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.Q5ExactlyOnce;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stop-with-savepoint at parallelism 2, resume at another parallelism: the exactly-once output of
 * both runs together equals the oracle, so keyed window state moved by key group and source
 * positions by split.
 */
@Timeout(180)
public class SavepointRescaleTest {
  private static final int EVENTS = 300_000;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private JobConfig config(Path tmp, int parallelism, long rate) {
    return config(tmp, parallelism, rate, "");
  }

  /** {@code extra}: more top-level JSON members, each starting with a comma. */
  private JobConfig config(Path tmp, int parallelism, long rate, String extra) {
    String json = "{\"name\":\"q5-rescale\",\"job\":\"" + Q5ExactlyOnce.class.getName() + "\",\"parallelism\":" + parallelism + extra
        + ",\"checkpoints\":{\"intervalMillis\":200,\"directory\":\"" + tmp.resolve("ckpt") + "\"}"
        + ",\"params\":{\"events\":" + EVENTS + ",\"rate\":" + rate + ",\"splits\":4,\"output\":\"" + tmp.resolve("out") + "\"}}";
    return JobConfig.parse(json, "rescale test");
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void stopWithSavepointThenResumeAtAnotherParallelismIsExact(int newParallelism, @TempDir Path tmp) throws Exception {
    resumeAtAnotherParallelism(newParallelism, tmp, "");
  }

  /** Window accumulators in RocksDB behind a cache of 50 entries, so most are read back from it. */
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void windowStateInRocksDbMovesByKeyGroup(int newParallelism, @TempDir Path tmp) throws Exception {
    resumeAtAnotherParallelism(newParallelism, tmp,
        ",\"stateBackend\":\"rocksdb\",\"rocksdb\":{\"windowCacheEntries\":50}");
  }

  private void resumeAtAnotherParallelism(int newParallelism, Path tmp, String extra) throws Exception {
    JobCoordinator first = new JobCoordinator(vertx, JobDefinition.load(config(tmp, 2, 100_000, extra), getClass().getClassLoader()), null);
    CompletableFuture<JobResult> firstResult = first.run().toCompletionStage().toCompletableFuture();
    // wait for a completed checkpoint, so the savepoint lands mid-stream
    long deadline = System.currentTimeMillis() + 60_000;
    while (!Files.exists(tmp.resolve("ckpt/q5-rescale/chk-1/_metadata")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    Path savepoint = tmp.resolve("savepoint");
    Path taken = await(CompletableFutureBridge.onContext(vertx, () -> first.stopWithSavepoint(savepoint)));
    assertThat(taken).isEqualTo(savepoint);
    assertThat(firstResult.get(60, TimeUnit.SECONDS).status()).isEqualTo(JobStatus.CANCELED);
    assertThat(savepoint.resolve("_metadata")).exists();
    long committedBefore = committedLines(tmp.resolve("out")).size();
    assertThat(committedBefore).as("the first run committed part of the output").isPositive();

    JobCoordinator second = new JobCoordinator(vertx,
        JobDefinition.load(config(tmp, newParallelism, 0, extra), getClass().getClassLoader()), savepoint.toString());
    JobResult r = await(CompletableFutureBridge.onContext(vertx, second::run));
    assertThat(r.status()).as(r.error()).isEqualTo(JobStatus.FINISHED);

    List<String> got = committedLines(tmp.resolve("out"));
    Map<String, Integer> missing = multiset(oracle());
    multiset(got).forEach((line, n) -> missing.merge(line, -n, Integer::sum));
    missing.values().removeIf(n -> n == 0);
    assertThat(got).hasSize(oracle().size());
    assertThat(missing).as("lines missing (>0) or duplicated (<0), a sample").hasSize(0);
  }

  @ParameterizedTest
  @ValueSource(ints = {3})
  void aSourceWhoseSplitsFollowTheParallelismRefusesToRescale(int newParallelism, @TempDir Path tmp) throws Exception {
    String base = "{\"name\":\"q5-fixed\",\"job\":\"" + Q5ExactlyOnce.class.getName() + "\",\"parallelism\":%d"
        + ",\"checkpoints\":{\"intervalMillis\":100,\"directory\":\"" + tmp.resolve("ckpt") + "\"}"
        + ",\"params\":{\"events\":200000,\"rate\":100000,\"output\":\"" + tmp.resolve("out") + "\"}}";
    JobCoordinator first = new JobCoordinator(vertx,
        JobDefinition.load(JobConfig.parse(String.format(base, 2), "t"), getClass().getClassLoader()), null);
    CompletableFuture<JobResult> firstResult = first.run().toCompletionStage().toCompletableFuture();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!Files.exists(tmp.resolve("ckpt/q5-fixed/chk-1/_metadata")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    await(CompletableFutureBridge.onContext(vertx, () -> first.stopWithSavepoint(tmp.resolve("sp"))));
    firstResult.get(60, TimeUnit.SECONDS);
    JobCoordinator second = new JobCoordinator(vertx,
        JobDefinition.load(JobConfig.parse(String.format(base, newParallelism), "t"), getClass().getClassLoader()),
        tmp.resolve("sp").toString());
    JobResult r = await(CompletableFutureBridge.onContext(vertx, second::run));
    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).contains("source 'bids'").contains("cannot be rescaled");
  }

  public static List<String> committedLines(Path dir) throws Exception {
    List<String> lines = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (ExactlyOnceTextFileSink.isCommitted(f)) {
          lines.addAll(Files.readAllLines(f));
        }
      }
    }
    return lines;
  }

  static List<String> oracle() {
    Map<String, long[]> agg = new HashMap<>();
    for (long i = 0; i < EVENTS; i++) {
      Bid b = BidGenerator.bid(i);
      long ws = b.ts() - Math.floorMod(b.ts(), 10_000L);
      long[] a = agg.computeIfAbsent(ws + " " + b.auction(), k -> new long[] {0, Long.MIN_VALUE});
      a[0]++;
      a[1] = Math.max(a[1], b.price());
    }
    List<String> out = new ArrayList<>();
    agg.forEach((k, a) -> out.add(k + " " + a[0] + " " + a[1]));
    return out;
  }

  static Map<String, Integer> multiset(List<String> lines) {
    Map<String, Integer> m = new HashMap<>();
    lines.forEach(l -> m.merge(l, 1, Integer::sum));
    return m;
  }

  /** Runs a coordinator call on a Vert.x context, as coordinators expect. */
  static final class CompletableFutureBridge {
    static <T> io.vertx.core.Future<T> onContext(Vertx vertx, java.util.function.Supplier<io.vertx.core.Future<T>> call) {
      io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> call.get().onComplete(p));
      return p.future();
    }
  }
}
