package io.eddy.cli;

import io.eddy.config.JobConfig;
import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.NodeConfig;
import io.eddy.deployer.VertexSpreadHosts;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench <workload>}: runs a benchmark workload in this JVM and prints, as its last line,
 * {@code workload=.. events=.. seconds=.. events_per_s=.. outputs=.. checksum=..}. With
 * {@code --runs K} it runs K times (after {@code --warmups} unreported runs) and the last line is
 * the median run. With {@code --nodes N} (N > 1) it also starts N clustered nodes in this JVM (Hazelcast on
 * loopback) and runs each round twice: on one node, then with each vertex on another node, so that every exchange
 * crosses the clustered event bus; it prints both medians and their ratio.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Runs a benchmark workload (see docs/bench/WORKLOADS.md) and prints its figures.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "One of: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
  String workload;

  @Option(names = "--events", description = "Number of events N (default ${DEFAULT-VALUE}).", defaultValue = "20000000")
  long events;

  @Option(names = "--parallelism", description = "Parallelism P (default ${DEFAULT-VALUE}).", defaultValue = "2")
  int parallelism;

  @Option(names = "--frame-records", description = "Records per frame (default: the job default).")
  Integer frameRecords;

  @Option(names = "--frame-bytes", description = "Bytes per serialized frame (default: the job default).")
  Integer frameBytes;

  @Option(names = "--flush-millis", description = "Flush timeout of partial frames in ms.")
  Long flushMillis;

  @Option(names = "--serialize-local", description = "Forces the serialized exchange between local tasks.")
  boolean serializeLocal;

  @Option(names = "--no-chaining", description = "Runs every operator as a task of its own, so records cross the exchange.")
  boolean noChaining;

  @Option(names = "--window-cache", description = "rocksdb.windowCacheEntries of a RocksDB workload; 0 reads and writes"
      + " every window accumulator in RocksDB, as Flink does (default: the workload's).")
  Integer windowCache;

  @Option(names = "--runs", description = "Measured runs; the last line is the median (default ${DEFAULT-VALUE}).", defaultValue = "1")
  int runs;

  @Option(names = "--warmups", description = "Unreported runs before measuring (default ${DEFAULT-VALUE}).", defaultValue = "0")
  int warmups;

  @Option(names = "--nodes", description = "Also runs with each vertex on another of this many clustered nodes"
      + " (default ${DEFAULT-VALUE}: one node only).", defaultValue = "1")
  int nodes;

  @Option(names = "--verbose", description = "Prints stack traces with errors.")
  boolean verbose;

  static final class Names implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      List<String> names = new ArrayList<>();
      ServiceLoader.load(BenchWorkload.class).forEach(w -> names.add(w.name()));
      return names.iterator();
    }
  }

  @Override
  public Integer call() throws Exception {
    TreeMap<String, BenchWorkload> all = new TreeMap<>();
    ServiceLoader.load(BenchWorkload.class).forEach(w -> all.put(w.name(), w));
    BenchWorkload w = all.get(workload);
    if (w == null) {
      throw new IllegalArgumentException("unknown workload '" + workload + "' (known: " + String.join(", ", all.keySet()) + ")");
    }
    if (events < 0 || parallelism < 1 || (windowCache != null && windowCache < 0)) {
      throw new IllegalArgumentException("--events and --window-cache must be >= 0 and --parallelism >= 1");
    }
    JsonObject frame = new JsonObject();
    if (frameRecords != null) {
      frame.put("maxRecords", frameRecords);
    }
    if (frameBytes != null) {
      frame.put("maxBytes", frameBytes);
    }
    if (flushMillis != null) {
      frame.put("flushMillis", flushMillis);
    }
    if (serializeLocal) {
      frame.put("serializeLocal", true);
    }
    JsonObject json = new JsonObject()
        .put("name", w.name())
        .put("job", w.job().getClass().getName())
        .put("parallelism", parallelism)
        .put("maxParallelism", Math.max(128, parallelism))
        .put("frame", frame)
        .put("chaining", !noChaining)
        .put("params", new JsonObject().put("events", events));
    java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("eddy-bench-");
    json.mergeIn(w.settings(scratch));
    if (windowCache != null) {
      if (!"rocksdb".equals(json.getString("stateBackend"))) {
        throw new IllegalArgumentException(
            "--window-cache applies to a RocksDB workload; " + w.name() + " keeps its state on the heap");
      }
      json.put("rocksdb", json.getJsonObject("rocksdb", new JsonObject()).put("windowCacheEntries", windowCache));
    }
    try {
      return measure(w, JobConfig.parse(json.encode(), "bench " + w.name()));
    } finally {
      try (var files = java.nio.file.Files.walk(scratch)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private int measure(BenchWorkload w, JobConfig config) throws Exception {
    if (nodes <= 1) {
      return measure(w, config, () -> LocalRun.run(new JobDefinition(config, w.job())), "") == null
          ? Main.EXIT_JOB_FAILED : Main.EXIT_OK;
    }
    List<ClusterNode> cluster = new ArrayList<>();
    try {
      NodeConfig nc = NodeConfig.defaults().withClusterName("eddy-bench-" + java.util.UUID.randomUUID()).withHttpPort(0);
      for (int i = 0; i < nodes; i++) {
        cluster.add(ClusterNode.start(nc).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS));
      }
      Double single = measure(w, config, () -> LocalRun.run(new JobDefinition(config, w.job())), "one node: ");
      Double spread = measure(w, config, () -> runSpread(new JobDefinition(config, w.job()), cluster),
          "vertices on " + nodes + " nodes: ");
      if (single == null || spread == null) {
        return Main.EXIT_JOB_FAILED;
      }
      System.out.printf(java.util.Locale.ROOT, "clustered exchange: %.3f of the one-node events/s%n", single / spread);
      return Main.EXIT_OK;
    } finally {
      for (ClusterNode n : cluster) {
        n.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static JobResult runSpread(JobDefinition job, List<ClusterNode> cluster) throws Exception {
    Vertx vertx = cluster.get(0).vertx();
    JobCoordinator c = new JobCoordinator(vertx, job, null, null, new VertexSpreadHosts(cluster));
    return c.run().toCompletionStage().toCompletableFuture().get();
  }

  /** One way of running the job once. */
  private interface Run {
    JobResult once() throws Exception;
  }

  /** Runs warm-ups and measured runs; prints each and the median line; returns the median's seconds, or null. */
  private Double measure(BenchWorkload w, JobConfig config, Run run, String label) throws Exception {
    List<String> lines = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < warmups + runs; i++) {
      JobResult r = run.once();
      if (r.status() != JobStatus.FINISHED) {
        System.err.println("error: workload " + w.name() + " " + r.status().name().toLowerCase() + ": " + r.error());
        return null;
      }
      double s = r.runSeconds();
      String line = String.format(java.util.Locale.ROOT,
          "workload=%s events=%d seconds=%.3f events_per_s=%.0f outputs=%d checksum=%d",
          w.name(), events, s, events / s, r.metric(w.outputsMetric()), r.metric(w.checksumMetric()));
      if (r.metric("checkpoints.completed") > 0) {
        System.out.printf(java.util.Locale.ROOT,
            "checkpoints completed=%d p50_ms=%d max_ms=%d last_size_bytes=%d%n",
            r.metric("checkpoints.completed"), r.metric("checkpoints.p50DurationMillis"),
            r.metric("checkpoints.maxDurationMillis"), r.metric("checkpoints.lastSizeBytes"));
      }
      if (i < warmups) {
        System.out.println(label + "warmup " + (i + 1) + ": " + line);
      } else {
        System.out.println(label + "run " + (i - warmups + 1) + ": " + line);
        lines.add(line);
        seconds.add(s);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(seconds::get));
    System.out.println(label + lines.get(order.get(order.size() / 2)));
    return seconds.get(order.get(order.size() / 2));
  }
}
