package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Session windows merge and split as out-of-order records arrive. Semantics (SessionWindows'
 * documentation, and Flink's): records of a key at most the gap apart share a session, so sessions
 * that touch merge; a session is {@code [first, last + gap)} and fires when the watermark reaches
 * {@code last + gap - 1}.
 */
@Timeout(120)
class SessionWindowTest {
  private static final long GAP = 10;
  private static final long BASE = 10_000;

  private static Ev ev(int key, long offset, long value) {
    return new Ev(key, value, BASE + offset);
  }

  /** Runs events (in list order, one source and watermark subtask) into session windows; returns the results. */
  private static List<Agg> sessions(List<Ev> events, io.eddy.time.WatermarkStrategy<Ev> strategy, int windowParallelism)
      throws Exception {
    CollectSink<Agg> sink = new CollectSink<>();
    JobResult r = run(config(windowParallelism, ""), (pipeline, params) -> {
      DataStream<Ev> in = pipeline.source("src", CollectionSource.withTimestamps(events, Ev::ts)).parallelism(1)
          .assignTimestampsAndWatermarks(strategy).name("wm").parallelism(1);
      in.keyBy(Ev::key)
          .window(SessionWindows.<Ev>eventTime(Duration.ofMillis(GAP)))
          .aggregate(new SumCount(), new ToAgg()).name("w")
          .sink(sink).name("sink");
    });
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
    for (Got<Agg> g : sink.received) {
      assertThat(g.timestamp()).as("output timestamp is the session's last millisecond").isEqualTo(g.value().end() - 1);
    }
    return sink.values();
  }

  @ParameterizedTest(name = "window parallelism {0}")
  @ValueSource(ints = {1, 2})
  void outOfOrderRecordsBridgeAndExtendSessions(int p) throws Exception {
    List<Ev> events = new ArrayList<>(List.of(
        // key 1: two sessions until 9 arrives, which is closer than the gap to both
        ev(1, 0, 1), ev(1, 18, 2), ev(1, 9, 4),
        // key 2: 115 is 15 from both 100 and 130, farther than the gap: three sessions
        ev(2, 100, 1), ev(2, 130, 2), ev(2, 115, 4),
        // key 3: three sessions bridged by two late-arriving records into one
        ev(3, 300, 1), ev(3, 318, 2), ev(3, 336, 4), ev(3, 309, 8), ev(3, 327, 16),
        // key 4: a record before the session's start extends it backwards
        ev(4, 500, 1), ev(4, 492, 2), ev(4, 484, 4),
        // key 5: exactly the gap apart, in both orders: the touching sessions merge into one
        ev(5, 600, 1), ev(5, 610, 2), ev(5, 630, 4), ev(5, 620, 8),
        // key 6: a record inside an existing session changes only its contents
        ev(6, 700, 1), ev(6, 708, 2), ev(6, 704, 4)));
    Map<WinKey, long[]> oracle = sessionOracle(events, GAP);
    // the data exercises what it claims to
    assertThat(oracle.keySet().stream().filter(k -> k.key() == 1)).hasSize(1);
    assertThat(oracle.keySet().stream().filter(k -> k.key() == 2)).hasSize(3);
    assertThat(oracle.keySet().stream().filter(k -> k.key() == 3)).hasSize(1);
    assertThat(oracle.keySet().stream().filter(k -> k.key() == 5)).hasSize(1);
    assertThat(oracle).containsKey(new WinKey(5, BASE + 600, BASE + 640));

    List<Agg> got = sessions(events, WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(1000)), p);
    assertThat(byWindow(got)).isEqualTo(asLists(oracle));
  }

  /**
   * Touching sessions merge only while both are open, as in Flink: a session that the watermark
   * has closed (fired and dropped, with no allowed lateness) is gone, so a record that would have
   * touched it starts a new session even though the record itself is not late.
   */
  @ParameterizedTest(name = "window parallelism {0}")
  @ValueSource(ints = {1, 2})
  void touchingSessionsMergeWhileTheFirstIsOpen(int p) throws Exception {
    long bound = 50;
    // key 1 has records at 0 and 10 (exactly the gap apart); key 9's record at 60 lifts the watermark
    // to 60 - 50 - 1 = 9, which closes the session [0, 10) (its last millisecond is 9) but leaves
    // the record at 10 on time.
    List<Ev> before = List.of(ev(1, 0, 1), ev(1, 10, 2), ev(9, 60, 4));
    List<Ev> after = List.of(ev(1, 0, 1), ev(9, 60, 4), ev(1, 10, 2));
    Map<WinKey, List<Long>> merged = asLists(sessionOracle(before, GAP));
    assertThat(merged).containsEntry(new WinKey(1, BASE, BASE + 20), List.of(3L, 2L));
    Map<WinKey, List<Long>> split = Map.of(
        new WinKey(1, BASE, BASE + 10), List.of(1L, 1L),
        new WinKey(1, BASE + 10, BASE + 20), List.of(2L, 1L),
        new WinKey(9, BASE + 60, BASE + 70), List.of(4L, 1L));

    Map<WinKey, List<Long>> gotBefore = byWindow(sessions(before, perEventWatermarks(bound), p));
    Map<WinKey, List<Long>> gotAfter = byWindow(sessions(after, perEventWatermarks(bound), p));
    assertThat(gotBefore).as("record at 10 before the watermark 9").isEqualTo(merged);
    assertThat(gotAfter).as("record at 10 after the watermark 9").isEqualTo(split);
  }
}
