package io.eddy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.JobConfig;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.graph.JobDefinition;
import io.eddy.runtime.LiveTasks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Helpers of the checkpoint and recovery tests: job JSON with checkpoints and a restart strategy,
 * running a job with a restore point, reading what an exactly-once file sink committed, and the
 * plain-loop oracle of the q5-style window count.
 */
public final class Checkpointing {
  /** The longest an in-JVM checkpointed job may take before the test fails. */
  public static final int TIMEOUT_SECONDS = 60;

  private Checkpointing() {}

  /**
   * A job JSON with checkpoints every {@code intervalMillis} into {@code directory} in
   * {@code mode} ("exactly-once" or "at-least-once") and a fixed-delay restart strategy (3
   * attempts, 100 ms apart).
   */
  public static JsonObject jobJson(String name, int parallelism, Path directory, long intervalMillis, String mode) {
    return new JsonObject()
        .put("name", name)
        .put("job", "test.Checkpointed")
        .put("parallelism", parallelism)
        .put("checkpoints", new JsonObject()
            .put("intervalMillis", intervalMillis)
            .put("mode", mode)
            .put("directory", directory.toString()))
        .put("restartStrategy", new JsonObject().put("type", "fixed-delay").put("attempts", 3).put("delayMillis", 100));
  }

  public static JobConfig parse(JsonObject json) {
    return JobConfig.parse(json.encode(), "test");
  }

  /** Runs a job to its end in a fresh Vert.x, restoring from {@code restoreFrom} (null, "latest" or a path). */
  public static JobResult run(JsonObject json, StreamJob job, String restoreFrom) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JobCoordinator c = new JobCoordinator(vertx, new JobDefinition(parse(json), job), restoreFrom);
      JobResult r;
      try {
        r = c.run().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("job " + c.jobId() + " not done after " + TIMEOUT_SECONDS + " s: status "
            + c.status() + ", attempt " + c.attempt() + ", tasks " + describeTasks(c.jobId()), e);
      }
      assertThat(LiveTasks.all().stream().filter(t -> t.id().jobId().equals(r.jobId())).toList())
          .as("tasks left behind by %s (%s, %s): %s", r.jobId(), r.status(), r.error(), describeTasks(r.jobId()))
          .isEmpty();
      return r;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(Jobs.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The live tasks of a job: vertex name, subtask, state. */
  public static String describeTasks(String jobId) {
    return LiveTasks.all().stream().filter(t -> t.id().jobId().equals(jobId))
        .map(t -> t.id() + " " + (t.vertex() == null ? "?" : t.vertex().name()) + " " + t.state())
        .toList().toString();
  }

  /** The job's checkpoint storage under a checkpoint directory. */
  public static CheckpointStorage storage(Path directory, String jobName) {
    return new CheckpointStorage(directory.resolve(jobName));
  }

  /** Ids of the complete checkpoints (with {@code _metadata}) of a job, ascending; never throws. */
  public static List<Long> completed(Path directory, String jobName) {
    try {
      return storage(directory, jobName).completed();
    } catch (IOException e) {
      return List.of(); // a directory pruned while listing: the caller polls again
    }
  }

  /** The committed part files in {@code dir} (none if it does not exist), sorted by name. */
  public static List<Path> committedFiles(Path dir) {
    return list(dir).stream().filter(ExactlyOnceTextFileSink::isCommitted).toList();
  }

  /** Files in {@code dir} a reader must not see: in-progress and pending transactions. */
  public static List<Path> uncommittedFiles(Path dir) {
    return list(dir).stream().filter(f -> !ExactlyOnceTextFileSink.isCommitted(f)).toList();
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every line of every committed part file in {@code dir}. */
  public static List<String> committedLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path f : committedFiles(dir)) {
      lines.addAll(readCompleteLines(f));
    }
    return lines;
  }

  /** The lines of a committed file, which must end with a line break (no partial last line). */
  public static List<String> readCompleteLines(Path f) throws IOException {
    String text = Files.readString(f, StandardCharsets.UTF_8);
    assertThat(text.isEmpty() || text.endsWith("\n")).as("committed file %s ends with a complete line", f).isTrue();
    return text.isEmpty() ? List.of() : List.of(text.substring(0, text.length() - 1).split("\n", -1));
  }

  /**
   * Asserts that {@code actual} and {@code expected} hold the same lines the same number of times,
   * naming (a few of) the lines missing and the lines extra or repeated.
   */
  public static void assertSameMultiset(List<String> actual, List<String> expected) {
    Map<String, Integer> diff = new TreeMap<>();
    expected.forEach(l -> diff.merge(l, 1, Integer::sum));
    actual.forEach(l -> diff.merge(l, -1, Integer::sum));
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    diff.forEach((line, d) -> {
      if (d > 0) {
        missing.add(line + (d > 1 ? " (x" + d + ")" : ""));
      } else if (d < 0) {
        extra.add(line + (d < -1 ? " (x" + -d + ")" : ""));
      }
    });
    assertThat(missing.size() + extra.size())
        .as("%d lines committed, %d expected; %d missing, e.g. %s; %d extra or duplicated, e.g. %s",
            actual.size(), expected.size(), missing.size(), first(missing), extra.size(), first(extra))
        .isZero();
  }

  private static List<String> first(List<String> l) {
    return l.subList(0, Math.min(10, l.size()));
  }

  /** The output line of one (window, key) of the q5-style count: {@code start key count maxPrice}. */
  public static String line(long windowStart, int key, long count, long maxPrice) {
    return windowStart + " " + key + " " + count + " " + maxPrice;
  }

  /**
   * The oracle of a q5-style pipeline over bids {@code 0..events-1}: per tumbling event-time window
   * of {@code windowMillis} and per key {@code auction % keys} (no modulo when keys is 0), the
   * number of bids and the highest price, as output lines.
   */
  public static List<String> windowOracle(long events, long windowMillis, int keys) {
    List<Bid> bids = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      bids.add(BidGenerator.bid(i));
    }
    return windowOracle(bids, windowMillis, keys);
  }

  /** The same oracle over given bids (with their own {@code ts}). */
  public static List<String> windowOracle(Iterable<Bid> bids, long windowMillis, int keys) {
    Map<List<Long>, long[]> acc = new HashMap<>();
    for (Bid b : bids) {
      long start = b.ts() - Math.floorMod(b.ts(), windowMillis);
      long key = keys == 0 ? b.auction() : b.auction() % keys;
      long[] a = acc.computeIfAbsent(List.of(start, key), k -> new long[] {0, Long.MIN_VALUE});
      a[0]++;
      a[1] = Math.max(a[1], b.price());
    }
    List<String> lines = new ArrayList<>();
    acc.forEach((k, a) -> lines.add(line(k.get(0), (int) (long) k.get(1), a[0], a[1])));
    return lines;
  }
}
