package io.eddy.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Window assigners and TimeWindow against plain definitions. */
class WindowAssignersTest {

  @Test
  void timeWindowIntersectsWhenItOverlapsOrTouches() {
    TimeWindow w = new TimeWindow(10, 20);
    assertThat(w.intersects(new TimeWindow(19, 30))).isTrue();
    assertThat(w.intersects(new TimeWindow(0, 11))).isTrue();
    assertThat(w.intersects(new TimeWindow(12, 15))).isTrue();
    assertThat(w.intersects(new TimeWindow(0, 40))).isTrue();
    // as Flink's TimeWindow.intersects: touching windows intersect, so touching sessions merge
    assertThat(w.intersects(new TimeWindow(20, 30))).as("touching at the end").isTrue();
    assertThat(w.intersects(new TimeWindow(0, 10))).as("touching at the start").isTrue();
    assertThat(w.intersects(new TimeWindow(21, 30))).isFalse();
    assertThat(w.intersects(new TimeWindow(0, 9))).isFalse();
    assertThat(w.intersects(new TimeWindow(25, 30))).isFalse();
    assertThat(w.cover(new TimeWindow(15, 40))).isEqualTo(new TimeWindow(10, 40));
    assertThat(w.maxTimestamp()).isEqualTo(19);
  }

  @Test
  void tumblingWindowsHoldTheirTimestampIncludingNegativeOnesAndOffsets() {
    Random rnd = new Random(1);
    for (long size : new long[] {1, 7, 1000}) {
      for (int i = 0; i < 2000; i++) {
        long ts = rnd.nextInt(20_000) - 10_000;
        long offset = rnd.nextInt((int) size);
        TumblingWindows<Object> a = TumblingWindows.eventTime(Duration.ofMillis(size)).withOffset(Duration.ofMillis(offset));
        List<TimeWindow> ws = new ArrayList<>(a.assignWindows(null, ts, 0));
        assertThat(ws).hasSize(1);
        TimeWindow w = ws.get(0);
        assertThat(w.end() - w.start()).isEqualTo(size);
        assertThat(ts).isBetween(w.start(), w.end() - 1);
        assertThat(Math.floorMod(w.start() - offset, size)).isZero();
      }
    }
  }

  @Test
  void slidingWindowsAreExactlyTheAlignedWindowsHoldingTheTimestamp() {
    Random rnd = new Random(2);
    long[][] shapes = {{30, 10}, {30, 7}, {10, 10}, {100, 1}};
    for (long[] shape : shapes) {
      long size = shape[0];
      long slide = shape[1];
      SlidingWindows<Object> a = SlidingWindows.eventTime(Duration.ofMillis(size), Duration.ofMillis(slide));
      for (int i = 0; i < 1000; i++) {
        long ts = rnd.nextInt(20_000) - 10_000;
        List<TimeWindow> expected = new ArrayList<>();
        for (long s = ts - size - slide; s <= ts; s++) {
          if (Math.floorMod(s, slide) == 0 && s <= ts && ts < s + size) {
            expected.add(new TimeWindow(s, s + size));
          }
        }
        assertThat(a.assignWindows(null, ts, 0)).containsExactlyInAnyOrderElementsOf(expected);
        // size / slide windows, rounded up or down when the slide does not divide the size
        assertThat(expected.size()).isBetween((int) (size / slide), (int) ((size + slide - 1) / slide));
      }
    }
  }

  @Test
  void assignersReportInvalidSettings() {
    assertThat(TumblingWindows.eventTime(Duration.ZERO).problem()).contains("size");
    assertThat(TumblingWindows.eventTime(Duration.ofMillis(10)).withOffset(Duration.ofMillis(10)).problem())
        .contains("offset");
    assertThat(SlidingWindows.eventTime(Duration.ofMillis(10), Duration.ofMillis(11)).problem()).contains("slide");
    assertThat(SlidingWindows.eventTime(Duration.ofMillis(10), Duration.ZERO).problem()).contains("slide");
    assertThat(SessionWindows.eventTime(Duration.ofMillis(-1)).problem()).contains("gap");
    assertThat(TumblingWindows.eventTime(Duration.ofMillis(10)).problem()).isNull();
    assertThat(SlidingWindows.eventTime(Duration.ofMillis(10), Duration.ofMillis(10)).problem()).isNull();
    assertThat(SessionWindows.eventTime(Duration.ofMillis(1)).problem()).isNull();
  }

  @Test
  void sessionWindowsAssignGapLongWindowsAndMerge() {
    SessionWindows<Object> a = SessionWindows.eventTime(Duration.ofMillis(10));
    assertThat(a.assignWindows(null, 100, 0)).containsExactly(new TimeWindow(100, 110));
    assertThat(a.isMerging()).isTrue();
    assertThat(a.defaultTrigger().canMerge()).isTrue();
    assertThat(GlobalWindows.create().assignWindows(null, 5, 0)).containsExactly(GlobalWindow.INSTANCE);
  }
}
