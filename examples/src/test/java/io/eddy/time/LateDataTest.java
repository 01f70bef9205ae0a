package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.OutputTag;
import io.eddy.api.WindowedStream;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Late records: one source subtask and a watermark generator that emits after every record (the
 * highest timestamp so far minus 1, i.e. no out-of-orderness allowed), so the watermark each record
 * meets at the window is known exactly: the highest timestamp before it, minus 1. A record is on
 * time when its window's last millisecond is above that watermark, accepted late when it is within
 * the allowed lateness (last millisecond + lateness above the watermark), and too late otherwise.
 */
@Timeout(120)
class LateDataTest {
  static final long SIZE = 100;
  static final OutputTag<Ev> LATE = new OutputTag<>("late");

  /** In-order records with some deliberately late by 1..400 ms. */
  static final List<Ev> EVENTS = lateEvents(11, 3000);

  static List<Ev> lateEvents(long seed, int n) {
    Random rnd = new Random(seed);
    List<Ev> out = new ArrayList<>();
    long max = 1_000_000;
    for (int i = 0; i < n; i++) {
      long ts;
      if (rnd.nextInt(100) < 15) {
        ts = max - 1 - rnd.nextInt(400);
      } else {
        max += rnd.nextInt(4);
        ts = max;
      }
      out.add(new Ev(rnd.nextInt(4), rnd.nextInt(100), ts));
    }
    return out;
  }

  /**
   * What happens to each record, computed with a plain loop, for windows of {@code size} every
   * {@code slide} (tumbling when equal). A record joins each of its windows whose last millisecond
   * plus the lateness is above the watermark; it is too late when it joins none.
   */
  static final class Oracle {
    final Map<WinKey, List<Long>> results = new HashMap<>();
    final List<Ev> tooLate = new ArrayList<>();
    final List<Ev> acceptedLate = new ArrayList<>();
    /** Windows (of a key) that already had records when a late record within the lateness joined them. */
    final java.util.Set<WinKey> refired = new java.util.HashSet<>();
    int onTime;

    Oracle(List<Ev> events, long lateness) {
      this(events, lateness, SIZE, SIZE);
    }

    Oracle(List<Ev> events, long lateness, long size, long slide) {
      Map<WinKey, long[]> acc = new HashMap<>();
      long max = Long.MIN_VALUE;
      for (Ev e : events) {
        long watermark = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - 1;
        boolean joined = false;
        boolean late = false;
        for (long start = Math.floorDiv(e.ts() - size, slide) * slide; start <= e.ts(); start += slide) {
          long last = start + size - 1;
          if (e.ts() < start || e.ts() > last || last + lateness <= watermark) {
            continue;
          }
          joined = true;
          WinKey k = new WinKey(e.key(), start, start + size);
          if (last <= watermark) {
            late = true;
            if (acc.containsKey(k)) {
              refired.add(k);
            }
          }
          long[] a = acc.computeIfAbsent(k, x -> new long[2]);
          a[0] += e.value();
          a[1]++;
        }
        if (!joined) {
          tooLate.add(e);
        } else if (late) {
          acceptedLate.add(e);
        } else {
          onTime++;
        }
        max = Math.max(max, e.ts());
      }
      results.putAll(asLists(acc));
    }
  }

  static final String SMALL_FRAMES = "\"frame\":{\"flushMillis\":1}";

  static JobResult runLate(boolean aligned, long lateness, boolean tag, CollectSink<Agg> sink, CollectSink<Ev> late)
      throws Exception {
    return runLate(SMALL_FRAMES, aligned, lateness, tag, sink, late);
  }

  static JobResult runLate(String extra, boolean aligned, long lateness, boolean tag, CollectSink<Agg> sink,
      CollectSink<Ev> late) throws Exception {
    return runLate(extra, TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)), aligned, lateness, tag, sink, late);
  }

  static JobResult runLate(String extra, WindowAssigner<Ev, TimeWindow> assigner, boolean aligned, long lateness,
      boolean tag, CollectSink<Agg> sink, CollectSink<Ev> late) throws Exception {
    JobResult r = run(config(1, extra), (pipeline, params) -> {
      WindowedStream<Integer, Ev, TimeWindow> windowed =
          pipeline.source("src", CollectionSource.withTimestamps(EVENTS, Ev::ts))
              .assignTimestampsAndWatermarks(perEventWatermarks(0)).name("wm")
              .keyBy(Ev::key)
              .window(assigner)
              .allowedLateness(Duration.ofMillis(lateness));
      if (!aligned) {
        windowed.trigger(Triggers.eventTime()); // an explicit trigger takes the general operator
      }
      if (tag) {
        windowed.sideOutputLateData(LATE);
      }
      DataStream<Agg> results = windowed.aggregate(new SumCount(), new ToAgg()).name("w");
      results.sink(sink).name("sink");
      if (tag) {
        results.sideOutput(LATE).sink(late).name("late-sink");
      }
    });
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    return r;
  }

  /** The last result emitted per (key, window); also checks counts never shrink between firings. */
  static Map<WinKey, List<Long>> lastResults(CollectSink<Agg> sink, Map<WinKey, Integer> firings) {
    Map<WinKey, List<Long>> last = new LinkedHashMap<>();
    for (Agg a : sink.values()) {
      WinKey k = new WinKey(a.key(), a.start(), a.end());
      List<Long> before = last.put(k, List.of(a.sum(), a.count()));
      if (before != null) {
        assertThat(a.count()).as("refiring of %s", k).isGreaterThan(before.get(1));
      }
      firings.merge(k, 1, Integer::sum);
    }
    return last;
  }

  @ParameterizedTest(name = "aligned operator {0}, lateness {1} ms")
  @CsvSource({"true, 50", "false, 50", "true, 0", "false, 0"})
  void lateRecordsUpdateWithinLatenessAndGoToTheSideOutputBeyond(boolean aligned, long lateness) throws Exception {
    Oracle oracle = new Oracle(EVENTS, lateness);
    assertThat(oracle.tooLate).isNotEmpty();
    if (lateness > 0) {
      assertThat(oracle.acceptedLate).isNotEmpty();
    } else {
      assertThat(oracle.acceptedLate).isEmpty();
    }
    CollectSink<Agg> sink = new CollectSink<>();
    CollectSink<Ev> late = new CollectSink<>();
    JobResult r = runLate(aligned, lateness, true, sink, late);

    Map<WinKey, Integer> firings = new HashMap<>();
    assertThat(lastResults(sink, firings)).isEqualTo(oracle.results);
    assertThat(late.values()).containsExactlyInAnyOrderElementsOf(oracle.tooLate);
    for (Got<Ev> g : late.received) {
      assertThat(g.timestamp()).as("late record keeps its timestamp").isEqualTo(g.value().ts());
    }
    long counted = 0;
    for (List<Long> v : oracle.results.values()) {
      counted += v.get(1);
    }
    assertThat(counted + late.received.size()).as("nothing lost").isEqualTo(EVENTS.size());
    assertThat(counted).isEqualTo(oracle.onTime + oracle.acceptedLate.size());
    // a window that had fired before an accepted late record arrived fired again
    if (lateness > 0) {
      assertThat(oracle.refired).isNotEmpty();
    }
    for (WinKey k : oracle.refired) {
      assertThat(firings.get(k)).as("firings of %s", k).isGreaterThanOrEqualTo(2);
    }
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
  }

  /** Sliding windows: a record late for some of its windows still joins the others. */
  @ParameterizedTest(name = "aligned operator {0}")
  @CsvSource({"true", "false"})
  void slidingWindowsTakeALateRecordInTheWindowsStillWithinLateness(boolean aligned) throws Exception {
    long size = 150;
    long slide = 50;
    long lateness = 30;
    Oracle oracle = new Oracle(EVENTS, lateness, size, slide);
    assertThat(oracle.tooLate).isNotEmpty();
    assertThat(oracle.acceptedLate).isNotEmpty();
    assertThat(oracle.refired).isNotEmpty();
    CollectSink<Agg> sink = new CollectSink<>();
    CollectSink<Ev> late = new CollectSink<>();
    JobResult r = runLate(SMALL_FRAMES, SlidingWindows.<Ev>eventTime(Duration.ofMillis(size), Duration.ofMillis(slide)),
        aligned, lateness, true, sink, late);
    Map<WinKey, Integer> firings = new HashMap<>();
    assertThat(lastResults(sink, firings)).isEqualTo(oracle.results);
    assertThat(late.values()).containsExactlyInAnyOrderElementsOf(oracle.tooLate);
    for (WinKey k : oracle.refired) {
      assertThat(firings.get(k)).as("firings of %s", k).isGreaterThanOrEqualTo(2);
    }
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
  }

  @ParameterizedTest(name = "aligned operator {0}")
  @CsvSource({"true", "false"})
  void withoutSideOutputTooLateRecordsAreCountedAsDropped(boolean aligned) throws Exception {
    long lateness = 50;
    Oracle oracle = new Oracle(EVENTS, lateness);
    CollectSink<Agg> sink = new CollectSink<>();
    JobResult r = runLate(aligned, lateness, false, sink, null);
    assertThat(lastResults(sink, new HashMap<>())).isEqualTo(oracle.results);
    assertThat(r.metric("w.lateRecordsDropped")).isEqualTo(oracle.tooLate.size());
  }
}
