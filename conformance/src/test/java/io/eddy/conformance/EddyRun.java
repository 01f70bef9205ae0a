package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.StreamJob;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import io.eddy.record.Frame;
import io.eddy.time.WatermarkGenerator;
import io.eddy.time.WatermarkOutput;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Runs a dataflow on Eddy in this JVM: one source subtask over the events, a watermark operator
 * with one subtask chained to it, then the test's body at parallelism {@code p}. Every stream the
 * body hands to {@link Lines#collect} ends in a sink that writes one line per record,
 * {@code <prefix> <record>@<timestamp>}, into a list shared with the test.
 */
final class EddyRun {
  private EddyRun() {}

  /** Where the body's streams end. */
  static final class Lines {
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();

    <T> void collect(DataStream<T> stream, String prefix) {
      collect(stream, prefix, String::valueOf);
    }

    <T> void collect(DataStream<T> stream, String prefix, Function<T, String> format) {
      stream.sink(new LineSink<>(lines, prefix, format)).name("collect-" + prefix);
    }
  }

  /** The punctuated generator: after every record, the highest timestamp minus the bound minus 1. */
  static WatermarkStrategy<Ev> punctuated(long bound) {
    return WatermarkStrategy.<Ev>forGenerator(() -> new WatermarkGenerator<>() {
      private long max = Long.MIN_VALUE;

      @Override
      public void onEvent(Ev e, long timestamp, WatermarkOutput out) {
        max = Math.max(max, timestamp);
        out.emitWatermark(max - bound - 1);
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput out) {}
    }).withTimestampAssigner((e, t) -> e.ts());
  }

  static List<String> run(int p, List<Ev> events, long bound, BiConsumer<DataStream<Ev>, Lines> body) throws Exception {
    return run(p, events, punctuated(bound), "", body);
  }

  /** Runs a job the test builds itself (its own sources) at parallelism {@code p}. */
  static List<String> runJob(int p, BiConsumer<io.eddy.api.Pipeline, Lines> build) throws Exception {
    Lines lines = new Lines();
    execute(p, "", (pipeline, params) -> build.accept(pipeline, lines));
    return new ArrayList<>(lines.lines);
  }

  /** As above with any watermark strategy and extra job configuration ({@code "key": value, ...}). */
  static List<String> run(int p, List<Ev> events, WatermarkStrategy<Ev> strategy, String extraConfig,
      BiConsumer<DataStream<Ev>, Lines> body) throws Exception {
    Lines lines = new Lines();
    StreamJob job = (pipeline, params) -> {
      DataStream<Ev> in = pipeline.source("src", CollectionSource.of(events)).parallelism(1)
          .assignTimestampsAndWatermarks(strategy).name("wm").parallelism(1);
      body.accept(in, lines);
    };
    execute(p, extraConfig, job);
    return new ArrayList<>(lines.lines);
  }

  private static void execute(int p, String extraConfig, StreamJob job) throws Exception {
    // -Deddy.conformance.stateBackend=rocksdb runs Eddy's side with its timers and windows in RocksDB
    String backend = System.getProperty("eddy.conformance.stateBackend");
    String json = "{\"job\":\"io.eddy.conformance.Test\",\"parallelism\":" + p
        + (extraConfig.contains("watermarkIntervalMillis") ? "" : ",\"watermarkIntervalMillis\":20")
        + (backend == null || extraConfig.contains("stateBackend") ? "" : ",\"stateBackend\":\"" + backend + "\"")
        + (extraConfig.isEmpty() ? "" : "," + extraConfig) + "}";
    Vertx vertx = Vertx.vertx();
    try {
      JobResult r = new JobCoordinator(vertx, new JobDefinition(JobConfig.parse(json, "conformance"), job)).run()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(r.status()).as("Eddy job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static final class LineSink<T> implements Sink<T> {
    private final Queue<String> lines;
    private final String prefix;
    private final Function<T, String> format;

    LineSink(Queue<String> lines, String prefix, Function<T, String> format) {
      this.lines = lines;
      this.prefix = prefix;
      this.format = format;
    }

    @Override
    public SinkWriter<T> createWriter(SinkContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(T record, long timestamp) {
          lines.add(prefix + " " + format.apply(record) + "@" + (timestamp == Frame.NO_TIMESTAMP ? "-" : timestamp));
        }

        @Override
        public Future<Void> finish() {
          return Future.succeededFuture();
        }
      };
    }
  }
}
