package io.eddy.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The built-in watermark generator and the triggers, without a runtime (timer stores: TimerStoreTest). */
class TimeUtilitiesTest {

  @Test
  void boundedOutOfOrdernessTrailsTheHighestTimestampByTheBoundPlusOne() {
    WatermarkGenerator<Object> g = WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(50)).createGenerator();
    List<Long> emitted = new ArrayList<>();
    WatermarkOutput out = new WatermarkOutput() {
      @Override
      public void emitWatermark(long watermark) {
        emitted.add(watermark);
      }

      @Override
      public void markIdle() {}
    };
    long max = Long.MIN_VALUE;
    Random rnd = new Random(4);
    for (int i = 0; i < 100; i++) {
      long ts = 1000 + i * 10 - rnd.nextInt(50);
      max = Math.max(max, ts);
      g.onEvent(null, ts, out);
      g.onPeriodicEmit(out);
      assertThat(emitted.get(emitted.size() - 1)).isEqualTo(max - 51);
    }
    WatermarkGenerator<Object> m = WatermarkStrategy.forMonotonousTimestamps().createGenerator();
    m.onEvent(null, 77, out);
    m.onPeriodicEmit(out);
    assertThat(emitted.get(emitted.size() - 1)).isEqualTo(76);
  }

  /** A trigger context over plain maps: timers and values of one window. */
  static final class FakeContext implements Trigger.Context {
    long watermark = Long.MIN_VALUE;
    final TreeSet<Long> eventTimers = new TreeSet<>();
    final Map<String, Object> values = new HashMap<>();

    @Override
    public long currentWatermark() {
      return watermark;
    }

    @Override
    public long currentProcessingTime() {
      return 0;
    }

    @Override
    public void registerEventTimeTimer(long time) {
      eventTimers.add(time);
    }

    @Override
    public void deleteEventTimeTimer(long time) {
      eventTimers.remove(time);
    }

    @Override
    public void registerProcessingTimeTimer(long time) {}

    @Override
    public void deleteProcessingTimeTimer(long time) {}

    @Override
    public Object value(String name) {
      return values.get(name);
    }

    @Override
    public void value(String name, Object value) {
      if (value == null) {
        values.remove(name);
      } else {
        values.put(name, value);
      }
    }
  }

  @Test
  void countTriggerFiresEveryNRecordsAndPurgingPurges() throws Exception {
    Trigger<Object, TimeWindow> count = Triggers.count(3);
    Trigger<Object, TimeWindow> purging = Triggers.purging(Triggers.count(3));
    FakeContext c1 = new FakeContext();
    FakeContext c2 = new FakeContext();
    TimeWindow w = new TimeWindow(0, 10);
    for (int i = 1; i <= 10; i++) {
      Trigger.Result r = count.onElement(null, 1, w, c1);
      Trigger.Result p = purging.onElement(null, 1, w, c2);
      assertThat(r.isFire()).isEqualTo(i % 3 == 0);
      assertThat(r.isPurge()).isFalse();
      assertThat(p.isFire()).isEqualTo(i % 3 == 0);
      assertThat(p.isPurge()).isEqualTo(i % 3 == 0);
    }
    assertThatThrownBy(() -> Triggers.count(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eventTimeTriggerFiresAtTheWindowEndAndAtOnceForLateRecords() throws Exception {
    Trigger<Object, TimeWindow> t = Triggers.eventTime();
    FakeContext c = new FakeContext();
    TimeWindow w = new TimeWindow(100, 200);
    assertThat(t.onElement(null, 150, w, c)).isEqualTo(Trigger.Result.CONTINUE);
    assertThat(c.eventTimers).containsExactly(199L);
    assertThat(t.onEventTime(199, w, c)).isEqualTo(Trigger.Result.FIRE);
    c.watermark = 199;
    assertThat(t.onElement(null, 150, w, c)).isEqualTo(Trigger.Result.FIRE);
    t.clear(w, c);
    assertThat(c.eventTimers).isEmpty();
  }

  /**
   * continuousEventTime: simulate the operator's timer loop as the watermark advances; as Flink's
   * trigger, it fires at the multiples of the interval from the one after the first record's on
   * (150, 175), capped at the window's last millisecond (199, which is also its end), each once.
   */
  @Test
  void continuousEventTimeFiresEveryIntervalAndAtTheEnd() throws Exception {
    Trigger<Object, TimeWindow> t = Triggers.continuousEventTime(Duration.ofMillis(25));
    FakeContext c = new FakeContext();
    TimeWindow w = new TimeWindow(100, 200);
    t.onElement(null, 130, w, c);
    t.onElement(null, 110, w, c);
    List<Long> fires = new ArrayList<>();
    for (long wm = 100; wm <= 260; wm += 17) {
      c.watermark = wm;
      while (!c.eventTimers.isEmpty() && c.eventTimers.first() <= wm) {
        long time = c.eventTimers.pollFirst();
        if (t.onEventTime(time, w, c).isFire()) {
          fires.add(time);
        }
      }
    }
    assertThat(fires).containsExactly(150L, 175L, 199L);
    assertThatThrownBy(() -> Triggers.continuousEventTime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  /** A watermark that jumps over several intervals fires once per interval it passed, as in Flink. */
  @Test
  void continuousEventTimeFiresOncePerIntervalTheWatermarkPasses() throws Exception {
    Trigger<Object, TimeWindow> t = Triggers.continuousEventTime(Duration.ofMillis(10));
    FakeContext c = new FakeContext();
    TimeWindow w = new TimeWindow(0, 100);
    t.onElement(null, 3, w, c);
    assertThat(c.eventTimers).containsExactly(10L, 99L);
    c.watermark = 57;
    List<Long> fires = new ArrayList<>();
    while (c.eventTimers.first() <= c.watermark) {
      long time = c.eventTimers.pollFirst();
      if (t.onEventTime(time, w, c).isFire()) {
        fires.add(time);
      }
    }
    assertThat(fires).containsExactly(10L, 20L, 30L, 40L, 50L);
    assertThat(c.eventTimers).containsExactly(60L, 99L);
  }

  /**
   * On a global window (which never ends) the end of input (watermark +infinity) fires the pending
   * early firing once and leaves only the window's own end, which fires the final result.
   */
  @Test
  void continuousEventTimeOnAGlobalWindowStopsAtTheFinalWatermark() throws Exception {
    Trigger<Object, GlobalWindow> t = Triggers.continuousEventTime(Duration.ofMillis(10));
    FakeContext c = new FakeContext();
    t.onElement(null, 3, GlobalWindow.INSTANCE, c);
    assertThat(c.eventTimers).containsExactly(10L, Long.MAX_VALUE);
    c.watermark = Long.MAX_VALUE;
    int fires = 0;
    while (!c.eventTimers.isEmpty()) {
      assertThat(fires).as("firings").isLessThan(10);
      if (t.onEventTime(c.eventTimers.pollFirst(), GlobalWindow.INSTANCE, c).isFire()) {
        fires++;
      }
    }
    assertThat(fires).isEqualTo(2);
  }
}
