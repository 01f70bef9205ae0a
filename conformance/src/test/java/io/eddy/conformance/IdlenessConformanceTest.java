package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Source idleness on Eddy and on Flink 2.3. Two sources feed one window: a busy one, and a quiet
 * one that emits a record, falls silent for {@link #SILENCE_MS}, then emits one more. With an
 * idleness timeout on the quiet source, the busy source's windows fire during the silence; without
 * one, the quiet source holds the watermark back and they fire only after it resumes. Each window
 * result says whether the quiet source had resumed when it was produced; the timing margins (an
 * idleness timeout of 200 ms against a silence of 1.5 s) make the lines the same in both engines.
 */
@Timeout(300)
class IdlenessConformanceTest {
  static final long SILENCE_MS = 1500;
  static final long BOUND = 50;
  static final List<Ev> BUSY = Inputs.outOfOrder(59, 600, 3, 5, (int) BOUND, 0, 1);
  static final List<Ev> QUIET = List.of(new Ev(9, 1, Inputs.BASE), new Ev(9, 2, Inputs.BASE + 600 * 5 + 5_000));
  /** Set when the quiet source emits its record after the silence (one engine runs at a time). */
  static final AtomicBoolean RESUMED = new AtomicBoolean();

  @BeforeAll
  static void startFlink() throws Exception {
    FlinkRun.start();
  }

  static String stamp(Ev e) {
    return e + " resumed=" + RESUMED.get();
  }

  // ------------------------------------------------------------------ Eddy: the quiet source

  record QuietSplit() implements SourceSplit {
    public String id() {
      return "quiet";
    }
  }

  static final class EQuiet implements Source<Ev> {
    public List<QuietSplit> createSplits(int parallelism) {
      return List.of(new QuietSplit());
    }

    public SourceReader<Ev> createReader(SourceReaderContext context) {
      return new SourceReader<>() {
        int next;
        long silentUntil;

        public void addSplits(List<SourceSplit> splits) {}

        public InputStatus pollNext(SourceOutput<Ev> out, int maxRecords) {
          if (next == 0) {
            out.collect(QUIET.get(next++));
            silentUntil = System.currentTimeMillis() + SILENCE_MS;
          }
          if (next == 1) {
            long left = silentUntil - System.currentTimeMillis();
            if (left > 0) {
              context.vertx().setTimer(left, id -> context.wakeUp());
              return InputStatus.NOTHING_AVAILABLE;
            }
            RESUMED.set(true);
            out.collect(QUIET.get(next++));
          }
          return InputStatus.END_OF_INPUT;
        }
      };
    }
  }

  // ------------------------------------------------------------------ Flink: the quiet source

  static final class FQuietRecords implements GeneratorFunction<Long, Ev> {
    public Ev map(Long index) {
      if (index == 1) {
        RESUMED.set(true);
      }
      return QUIET.get(index.intValue());
    }
  }

  /** Lets the first record through at once and the second after the silence, without blocking. */
  static final class FSilence implements RateLimiterStrategy<org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit> {
    public RateLimiter<org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit> createRateLimiter(int parallelism) {
      return new RateLimiter<>() {
        int acquired;

        public CompletionStage<Void> acquire(int permits) {
          if (acquired++ == 1) {
            return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(SILENCE_MS, TimeUnit.MILLISECONDS));
          }
          return CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  static final class FStamp implements org.apache.flink.api.common.functions.ReduceFunction<Ev> {
    public Ev reduce(Ev a, Ev b) {
      return new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()));
    }
  }

  static final class FKey implements org.apache.flink.api.java.functions.KeySelector<Ev, Integer> {
    public Integer getKey(Ev e) {
      return e.key();
    }
  }

  private static List<String> eddy(Duration idleness) throws Exception {
    RESUMED.set(false);
    io.eddy.time.WatermarkStrategy<Ev> quiet = EddyRun.punctuated(0);
    if (idleness != null) {
      quiet = quiet.withIdleness(idleness);
    }
    io.eddy.time.WatermarkStrategy<Ev> quietStrategy = quiet;
    return EddyRun.runJob(2, (pipeline, out) -> {
      var busy = pipeline.source("busy", io.eddy.connectors.collection.CollectionSource.of(BUSY)).parallelism(1)
          .assignTimestampsAndWatermarks(EddyRun.punctuated(BOUND)).parallelism(1);
      var silent = pipeline.source("quiet", new EQuiet()).parallelism(1)
          .assignTimestampsAndWatermarks(quietStrategy).parallelism(1);
      out.collect(busy.union(silent).keyBy(Ev::key)
          .window(io.eddy.time.TumblingWindows.<Ev>eventTime(Duration.ofMillis(500)))
          .reduce((a, b) -> new Ev(a.key(), a.value() + b.value(), Math.max(a.ts(), b.ts()))), "w",
          IdlenessConformanceTest::stamp);
    });
  }

  private static List<String> flink(Duration idleness) throws Exception {
    RESUMED.set(false);
    WatermarkStrategy<Ev> quiet = FlinkRun.punctuated(0);
    if (idleness != null) {
      quiet = quiet.withIdleness(idleness);
    }
    WatermarkStrategy<Ev> quietStrategy = quiet;
    return FlinkRun.runJob(2, (env, out) -> {
      DataStream<Ev> busy = env.fromData(BUSY).setParallelism(1)
          .assignTimestampsAndWatermarks(FlinkRun.punctuated(BOUND)).setParallelism(1);
      DataStream<Ev> silent = env.fromSource(
              new DataGeneratorSource<>(new FQuietRecords(), QUIET.size(), new FSilence(), TypeInformation.of(Ev.class)),
              WatermarkStrategy.noWatermarks(), "quiet").setParallelism(1)
          .assignTimestampsAndWatermarks(quietStrategy).setParallelism(1);
      out.collect(busy.union(silent).keyBy(new FKey())
          .window(TumblingEventTimeWindows.of(Duration.ofMillis(500)))
          .reduce(new FStamp()), "w", IdlenessConformanceTest::stamp);
    });
  }

  @Test
  void anIdleSourceNoLongerHoldsTheWatermarkBack() throws Exception {
    List<String> eddy = eddy(Duration.ofMillis(200));
    List<String> flink = flink(Duration.ofMillis(200));
    Compare.sameLines(eddy, flink, "w");
    assertThat(flink).filteredOn(l -> Long.parseLong(l.substring(l.indexOf('@') + 1)) >= Inputs.BASE)
        .anyMatch(l -> l.contains("resumed=false"));
  }

  @Test
  void withoutIdlenessASilentSourceHoldsTheWatermarkBack() throws Exception {
    List<String> eddy = eddy(null);
    List<String> flink = flink(null);
    Compare.sameLines(eddy, flink, "w");
    // the quiet source's first record (at BASE) lets windows up to BASE fire; no later one can
    // fire before it resumes
    assertThat(flink).filteredOn(l -> Long.parseLong(l.substring(l.indexOf('@') + 1)) >= Inputs.BASE)
        .isNotEmpty().allMatch(l -> l.contains("resumed=true"));
  }
}
