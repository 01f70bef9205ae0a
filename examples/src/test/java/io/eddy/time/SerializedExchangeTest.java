package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BadRecord;
import io.eddy.api.function.Collector;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The window tests and q5 again with the exchange forced through serialization
 * ({@code frame.serializeLocal}) and with chaining off (every operator its own task, so records,
 * watermarks, side outputs and the end of input all cross an exchange).
 */
@Timeout(180)
class SerializedExchangeTest {
  static final String SERIALIZE = "serializeLocal";
  static final String NO_CHAINING = "noChaining";

  /** The job-config fragment of a mode; {@code flushMillis} is set when not negative. */
  static String extra(String mode, long flushMillis) {
    String flush = flushMillis >= 0 ? "\"flushMillis\":" + flushMillis : "";
    return switch (mode) {
      case SERIALIZE -> "\"frame\":{\"serializeLocal\":true" + (flush.isEmpty() ? "" : "," + flush) + "}";
      case NO_CHAINING -> "\"chaining\":false" + (flush.isEmpty() ? "" : ",\"frame\":{" + flush + "}");
      default -> throw new IllegalArgumentException(mode);
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {SERIALIZE, NO_CHAINING})
  void q5WindowHeap(String mode) throws Exception {
    Q5WindowTest.assertMatchesOracle(Q5WindowTest.runQ5(200_000, 2, extra(mode, -1)), 200_000);
    Q5WindowTest.assertMatchesOracle(Q5WindowTest.runQ5(77_777, 4, extra(mode, -1)), 77_777);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {SERIALIZE, NO_CHAINING})
  void slidingAndSessionWindows(String mode) throws Exception {
    List<Ev> events = WindowOracleTest.EVENTS;
    CollectSink<Agg> sliding = new CollectSink<>();
    CollectSink<Agg> sessions = new CollectSink<>();
    WindowOracleTest.runJob(2, extra(mode, -1), events, in -> {
      in.keyBy(Ev::key)
          .window(SlidingWindows.<Ev>eventTime(Duration.ofMillis(120), Duration.ofMillis(40)))
          .aggregate(new SumCount(), new ToAgg()).name("w")
          .sink(sliding);
      in.keyBy(Ev::key)
          .window(SessionWindows.<Ev>eventTime(Duration.ofMillis(25)))
          .aggregate(new SumCount(), new ToAgg()).name("s")
          .sink(sessions);
    });
    assertThat(byWindow(sliding.values())).isEqualTo(WindowOracleTest.slidingOracle(events, 120, 40));
    assertThat(byWindow(sessions.values())).isEqualTo(asLists(sessionOracle(events, 25)));
    WindowOracleTest.assertTimestampsAreWindowEnds(sliding.received);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {SERIALIZE, NO_CHAINING})
  void processWindowsCarryTheirElementLists(String mode) throws Exception {
    List<Ev> events = WindowOracleTest.EVENTS;
    long size = WindowOracleTest.SIZE;
    CollectSink<WindowOracleTest.Elements> sink = new CollectSink<>();
    WindowOracleTest.runJob(4, extra(mode, -1), events, in -> in.keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(size)))
        .process(new ProcessWindowFunction<Ev, WindowOracleTest.Elements, Integer, TimeWindow>() {
          @Override
          public void process(Integer key, Context<TimeWindow> ctx, Iterable<Ev> elements,
              Collector<WindowOracleTest.Elements> out) {
            List<Ev> l = new ArrayList<>();
            elements.forEach(l::add);
            l.sort(WindowOracleTest.ORDER);
            out.collect(new WindowOracleTest.Elements(key, ctx.window().start(), ctx.window().end(), l));
          }
        }).name("w")
        .sink(sink));
    Map<WinKey, List<Ev>> oracle = new HashMap<>();
    for (Ev e : events) {
      long start = Math.floorDiv(e.ts(), size) * size;
      oracle.computeIfAbsent(new WinKey(e.key(), start, start + size), k -> new ArrayList<>()).add(e);
    }
    oracle.values().forEach(l -> l.sort(WindowOracleTest.ORDER));
    Map<WinKey, List<Ev>> got = new HashMap<>();
    for (WindowOracleTest.Elements e : sink.values()) {
      assertThat(got.put(new WinKey(e.key(), e.start(), e.end()), e.elements())).isNull();
    }
    assertThat(got).isEqualTo(oracle);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {SERIALIZE, NO_CHAINING})
  void lateRecordsInTheSideOutput(String mode) throws Exception {
    LateDataTest.Oracle oracle = new LateDataTest.Oracle(LateDataTest.EVENTS, 50);
    CollectSink<Agg> sink = new CollectSink<>();
    CollectSink<Ev> late = new CollectSink<>();
    JobResult r = LateDataTest.runLate(extra(mode, 1), true, 50, true, sink, late);
    assertThat(LateDataTest.lastResults(sink, new HashMap<>())).isEqualTo(oracle.results);
    assertThat(late.values()).containsExactlyInAnyOrderElementsOf(oracle.tooLate);
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {SERIALIZE, NO_CHAINING})
  void badRecordsInTheDeadLetterOutput(String mode) throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    CollectSink<BadRecord> dead = new CollectSink<>();
    JobResult r = run(BadInputTest.config(2, "deadLetter", extra(mode, -1)), BadInputTest.job(sink, dead));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<Ev> bad = BadInputTest.EVENTS.stream().filter(BadInputTest::bad).toList();
    assertThat(dead.values()).extracting(BadRecord::record)
        .containsExactlyInAnyOrderElementsOf(bad.stream().map(Ev::toString).toList());
    assertThat(byWindow(sink.values())).isEqualTo(WindowOracleTest.tumblingOracle(BadInputTest.good(), BadInputTest.SIZE));
  }
}
