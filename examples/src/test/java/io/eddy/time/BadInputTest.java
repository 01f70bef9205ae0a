package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.BadRecord;
import io.eddy.api.DataStream;
import io.eddy.api.KeyedStream;
import io.eddy.api.OutputTag;
import io.eddy.api.StreamJob;
import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records whose timestamp cannot be had, under each bad-record policy; invalid window settings. */
@Timeout(120)
class BadInputTest {
  static final List<Ev> EVENTS = boundedOutOfOrder(3, 3000, 5, 2, 20);
  static final long SIZE = 100;

  /** Throws for values divisible by 7, gives a negative time for other values divisible by 11. */
  static long assign(Ev e, long recordTimestamp) {
    if (e.value() % 7 == 0) {
      throw new IllegalStateException("no time for " + e);
    }
    return e.value() % 11 == 0 ? -5 : e.ts();
  }

  static boolean throwsFor(Ev e) {
    return e.value() % 7 == 0;
  }

  static boolean bad(Ev e) {
    return e.value() % 7 == 0 || e.value() % 11 == 0;
  }

  static StreamJob job(CollectSink<Agg> sink, CollectSink<BadRecord> dead) {
    return (pipeline, params) -> {
      DataStream<Ev> timed = pipeline.source("src", CollectionSource.of(EVENTS))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(20))
              .withTimestampAssigner(BadInputTest::assign))
          .name("ts");
      timed.keyBy(Ev::key)
          .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
          .aggregate(new SumCount(), new ToAgg()).name("w")
          .sink(sink).name("sink");
      if (dead != null) {
        timed.sideOutput(OutputTag.BAD_RECORDS).sink(dead).name("dead");
      }
    };
  }

  static String config(int p, String policy) {
    return config(p, policy, "");
  }

  static String config(int p, String policy, String extra) {
    return "{\"job\":\"x.Bad\",\"parallelism\":" + p + ",\"watermarkIntervalMillis\":5,\"badRecords\":\"" + policy
        + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static List<Ev> good() {
    return EVENTS.stream().filter(e -> !bad(e)).toList();
  }

  @Test
  void dataHasBothKindsOfBadRecords() {
    assertThat(EVENTS.stream().filter(BadInputTest::throwsFor)).isNotEmpty();
    assertThat(EVENTS.stream().filter(e -> bad(e) && !throwsFor(e))).isNotEmpty();
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void failPolicyFailsTheJobNamingTheOperator(int p) throws Exception {
    JobResult r = run(config(p, "fail"), job(new CollectSink<>(), null));
    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).contains("'ts'");
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void skipPolicyCountsBadRecordsAndKeepsTheRestExact(int p) throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    JobResult r = run(config(p, "skip"), job(sink, null));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("ts.badRecords")).isEqualTo(EVENTS.stream().filter(BadInputTest::bad).count());
    assertThat(byWindow(sink.values())).isEqualTo(WindowOracleTest.tumblingOracle(good(), SIZE));
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void deadLetterPolicySendsBadRecordsToTheSideOutput(int p) throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    CollectSink<BadRecord> dead = new CollectSink<>();
    JobResult r = run(config(p, "deadLetter"), job(sink, dead));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<Ev> bad = EVENTS.stream().filter(BadInputTest::bad).toList();
    assertThat(r.metric("ts.badRecords")).isEqualTo(bad.size());
    assertThat(dead.values()).extracting(BadRecord::operator).containsOnly("ts");
    assertThat(dead.values()).extracting(BadRecord::record)
        .containsExactlyInAnyOrderElementsOf(bad.stream().map(Ev::toString).toList());
    for (BadRecord b : dead.values()) {
      Ev e = bad.stream().filter(x -> x.toString().equals(b.record())).findFirst().orElseThrow();
      assertThat(b.reason()).contains(throwsFor(e) ? "no time for" : "-5");
    }
    assertThat(byWindow(sink.values())).isEqualTo(WindowOracleTest.tumblingOracle(good(), SIZE));
  }

  // ---- invalid window settings fail at planning, naming the operator

  static void assertPlanningFails(Function<KeyedStream<Integer, Ev>, DataStream<?>> window, String problem) {
    StreamJob job = (pipeline, params) -> {
      DataStream<?> w = window.apply(pipeline.source("src", CollectionSource.withTimestamps(EVENTS, Ev::ts))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Ev>forMonotonousTimestamps())
          .keyBy(Ev::key));
      w.name("w").sink(new CollectSink<>());
    };
    JobDefinition def = new JobDefinition(JobConfig.parse(config(2, "fail"), "test"), job);
    assertThatThrownBy(def::instantiate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'w'")
        .hasMessageContaining(problem);
  }

  @Test
  void zeroOrNegativeWindowSizeFailsAtPlanning() {
    assertPlanningFails(k -> k.window(TumblingWindows.<Ev>eventTime(Duration.ZERO)).aggregate(new SumCount()), "size");
    assertPlanningFails(k -> k.window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(-10))).aggregate(new SumCount()),
        "size");
    assertPlanningFails(k -> k.window(SlidingWindows.<Ev>eventTime(Duration.ZERO, Duration.ZERO))
        .aggregate(new SumCount()), "size");
    assertPlanningFails(k -> k.window(SessionWindows.<Ev>eventTime(Duration.ZERO)).aggregate(new SumCount()), "gap");
  }

  @Test
  void slideLargerThanSizeFailsAtPlanning() {
    assertPlanningFails(k -> k.window(SlidingWindows.<Ev>eventTime(Duration.ofMillis(10), Duration.ofMillis(20)))
        .aggregate(new SumCount()), "slide");
  }

  @Test
  void negativeAllowedLatenessFailsAtPlanning() {
    assertPlanningFails(k -> k.window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(10)))
        .allowedLateness(Duration.ofMillis(-1)).aggregate(new SumCount()), "lateness");
  }

  @Test
  void aTriggerThatCannotMergeOnSessionWindowsFailsAtPlanning() {
    assertPlanningFails(k -> k.window(SessionWindows.<Ev>eventTime(Duration.ofMillis(10)))
        .trigger(new Trigger<Ev, TimeWindow>() { // canMerge() is false by default
          @Override
          public Result onElement(Ev r, long ts, TimeWindow w, Context ctx) {
            return Result.CONTINUE;
          }

          @Override
          public Result onEventTime(long time, TimeWindow w, Context ctx) {
            return Result.CONTINUE;
          }

          @Override
          public Result onProcessingTime(long time, TimeWindow w, Context ctx) {
            return Result.CONTINUE;
          }
        }).aggregate(new SumCount()), "merge");
  }

  @Test
  void aJobWithInvalidWindowsFailsToRunWithTheSameMessage() throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    StreamJob job = (pipeline, params) -> pipeline.source("src", CollectionSource.withTimestamps(EVENTS, Ev::ts))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Ev>forMonotonousTimestamps())
        .keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(10))).allowedLateness(Duration.ofMillis(-3))
        .aggregate(new SumCount(), new ToAgg()).name("w")
        .sink(sink);
    assertThatThrownBy(() -> run(config(1, "fail"), job))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'w'");
    assertThat(sink.received).isEmpty();
  }
}
