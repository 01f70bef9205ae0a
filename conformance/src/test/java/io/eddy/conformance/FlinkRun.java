package io.eddy.conformance;

import java.io.Serializable;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Runs the same dataflow on Apache Flink 2.3 (the oracle) on a Flink cluster in this JVM (shared by
 * all runs), in STREAMING mode: a source with parallelism 1 over the events, the watermark strategy chained to
 * it with parallelism 1, then the test's body at parallelism {@code p}. Streams handed to
 * {@link Lines#collect} become lines {@code <prefix> <record>@<timestamp>}, as on Eddy.
 */
final class FlinkRun {
  private FlinkRun() {}

  /** A format function Flink can ship (serializable). */
  interface Format<T> extends java.util.function.Function<T, String>, Serializable {}

  /** Where the body's streams end: one union of lines, collected at the end. */
  static final class Lines {
    private DataStream<String> all;

    <T> void collect(DataStream<T> stream, String prefix) {
      collect(stream, prefix, String::valueOf);
    }

    <T> void collect(DataStream<T> stream, String prefix, Format<T> format) {
      DataStream<String> lines = stream.process(new ToLine<>(prefix, format)).returns(Types.STRING);
      all = all == null ? lines : all.union(lines);
    }
  }

  /** Formats a record with its timestamp; keeps the upstream parallelism, so no reordering. */
  static final class ToLine<T> extends ProcessFunction<T, String> {
    private final String prefix;
    private final Format<T> format;

    ToLine(String prefix, Format<T> format) {
      this.prefix = prefix;
      this.format = format;
    }

    @Override
    public void processElement(T value, Context ctx, Collector<String> out) {
      Long ts = ctx.timestamp();
      out.collect(prefix + " " + format.apply(value) + "@" + (ts == null ? "-" : ts));
    }
  }

  /** The punctuated generator, as Eddy's: after every record, the highest timestamp - bound - 1. */
  static final class Punctuated implements WatermarkGenerator<Ev>, Serializable {
    private final long bound;
    private long max = Long.MIN_VALUE;

    Punctuated(long bound) {
      this.bound = bound;
    }

    @Override
    public void onEvent(Ev e, long timestamp, WatermarkOutput out) {
      max = Math.max(max, timestamp);
      out.emitWatermark(new Watermark(max - bound - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput out) {}
  }

  static WatermarkStrategy<Ev> punctuated(long bound) {
    return WatermarkStrategy.<Ev>forGenerator(ctx -> new Punctuated(bound))
        .withTimestampAssigner((e, t) -> e.ts());
  }

  static List<String> run(int p, List<Ev> events, long bound, BiConsumer<DataStream<Ev>, Lines> body) throws Exception {
    return run(p, events, punctuated(bound), body);
  }

  static List<String> run(int p, List<Ev> events, WatermarkStrategy<Ev> strategy,
      BiConsumer<DataStream<Ev>, Lines> body) throws Exception {
    return run(p, events, strategy, 20, body);
  }

  /** As above with the interval at which periodic watermark generators are asked. */
  static List<String> run(int p, List<Ev> events, WatermarkStrategy<Ev> strategy, long watermarkIntervalMillis,
      BiConsumer<DataStream<Ev>, Lines> body) throws Exception {
    StreamExecutionEnvironment env = environment(p);
    env.getConfig().setAutoWatermarkInterval(watermarkIntervalMillis);
    DataStream<Ev> in = env.fromData(events).setParallelism(1)
        .assignTimestampsAndWatermarks(strategy).setParallelism(1);
    Lines lines = new Lines();
    body.accept(in, lines);
    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> it = lines.all.executeAndCollect("conformance")) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /** Runs a job the test builds itself (its own sources) at parallelism {@code p}. */
  static List<String> runJob(int p, BiConsumer<StreamExecutionEnvironment, Lines> build) throws Exception {
    StreamExecutionEnvironment env = environment(p);
    Lines lines = new Lines();
    build.accept(env, lines);
    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> it = lines.all.executeAndCollect("conformance")) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static MiniCluster cluster;

  /**
   * Starts the Flink cluster that every run in this JVM shares (one job manager and one task
   * manager, REST on a free loopback port), once; a shutdown hook closes it when the test JVM
   * exits. Starting a cluster takes seconds, so the test classes share one.
   */
  static synchronized void start() throws Exception {
    if (cluster != null) {
      return;
    }
    MiniCluster c = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(configuration())
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(8)
        .withRandomPorts()
        .build());
    c.start();
    cluster = c;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        c.closeAsync().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("closing the Flink cluster failed: " + e);
      }
    }, "flink-cluster-close"));
  }

  private static Configuration configuration() {
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(16));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(64));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(64));
    return conf;
  }

  /** An environment submitting to the shared cluster, at default parallelism {@code p}. */
  static synchronized StreamExecutionEnvironment environment(int p) throws Exception {
    if (cluster == null) {
      throw new IllegalStateException("FlinkRun.start() was not called");
    }
    URI rest = cluster.getRestAddress().get(30, TimeUnit.SECONDS);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort(), configuration());
    env.setParallelism(p);
    env.getConfig().setAutoWatermarkInterval(20);
    return env;
  }
}
