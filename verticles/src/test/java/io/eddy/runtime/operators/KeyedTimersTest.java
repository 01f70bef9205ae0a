package io.eddy.runtime.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.KeyGroupSections;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.eddy.state.HeapTimerStore;
import io.eddy.state.KeyGroups;
import io.eddy.state.RocksDbKeyedStateBackend;
import io.eddy.state.TimerStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyedTimers} over the heap and the RocksDB timer stores, against a plain set of live
 * timers: what fires at each watermark and at each processing-time wake-up, in which order (queue by
 * queue, each in time order), that the wake-up is always set for the earliest processing-time
 * timer, that nothing processing-time fires after the end of input, and that a snapshot restored
 * into two halves of the key groups gives back every timer once.
 */
class KeyedTimersTest {
  private static final int MAX_PARALLELISM = 128;
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** The test's wall clock: one pending wake-up at most, run when the test moves the clock past it. */
  static final class ManualClock implements KeyedTimers.WallClock {
    long now = 1_000;
    final TreeMap<Long, Runnable> scheduled = new TreeMap<>();
    final java.util.Map<Long, Long> timeOfId = new java.util.HashMap<>();
    long nextId;

    @Override
    public long now() {
      return now;
    }

    @Override
    public long schedule(long time, Runnable action) {
      long id = nextId++;
      scheduled.put(id, action);
      timeOfId.put(id, time);
      return id;
    }

    @Override
    public void cancel(long id) {
      scheduled.remove(id);
      timeOfId.remove(id);
    }

    /** The time of the pending wake-up, or MAX. */
    long wakeUpAt() {
      assertThat(scheduled.size()).as("one wake-up at most").isLessThanOrEqualTo(1);
      return scheduled.isEmpty() ? Long.MAX_VALUE : timeOfId.get(scheduled.firstKey());
    }

    void advanceTo(long time) {
      now = time;
      while (!scheduled.isEmpty() && timeOfId.get(scheduled.firstKey()) <= now) {
        long id = scheduled.firstKey();
        Runnable r = scheduled.remove(id);
        timeOfId.remove(id);
        r.run();
      }
    }
  }

  record Fired(int queue, KeyedTimers.Domain domain, long time, Object key, Object namespace) {}

  record Live(int queue, boolean eventTime, long time, Object key, Object namespace) {}

  @SuppressWarnings("unchecked")
  private static Serde<Object> dynamic() {
    return (Serde<Object>) SerdeRegistry.withBuiltIns().forClass(Object.class);
  }

  private KeyedTimers.Stores stores(String kind, int first, int last) {
    if (kind.equals("heap")) {
      return name -> new HeapTimerStore();
    }
    RocksDbKeyedStateBackend b = new RocksDbKeyedStateBackend(dir, "op", MAX_PARALLELISM, first, last,
        SerdeRegistry.withBuiltIns(), new RocksDbKeyedStateBackend.Config(8, 2));
    open.add(b);
    return name -> b.timerStore(name, dynamic());
  }

  private static final Comparator<Fired> ORDER = Comparator.comparingInt(Fired::queue).thenComparingLong(Fired::time)
      .thenComparing(f -> String.valueOf(f.key())).thenComparing(f -> String.valueOf(f.namespace()));

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void firesWhatADirectLoopSaysInQueueThenTimeOrder(String kind) {
    ManualClock clock = new ManualClock();
    List<Fired> fired = new ArrayList<>();
    Set<Live> live = new HashSet<>();
    KeyedTimers.Queue[] queues = new KeyedTimers.Queue[2];
    KeyedTimers timers = new KeyedTimers(stores(kind, 0, MAX_PARALLELISM - 1), clock, (q, domain, t) -> {
      int qi = q == queues[0] ? 0 : 1;
      fired.add(new Fired(qi, domain, t.time(), t.key(), t.namespace()));
      if (t.key().equals(3) && t.namespace() == null && domain == KeyedTimers.Domain.EVENT_TIME) {
        // a firing may register a timer that is due at once: it fires in the same round
        q.registerEventTime(t.time(), t.key(), "again");
        live.add(new Live(qi, true, t.time(), t.key(), "again"));
      }
    });
    queues[0] = timers.queue("a");
    queues[1] = timers.queue("b");
    timers.start();
    Random rnd = new Random(5);
    long watermark = Long.MIN_VALUE;
    for (int round = 0; round < 300; round++) {
      for (int i = 0; i < 20; i++) {
        int qi = rnd.nextInt(2);
        boolean eventTime = rnd.nextBoolean();
        long base = eventTime ? Math.max(watermark, 0) : clock.now;
        Live t = new Live(qi, eventTime, base + 1 + rnd.nextInt(500), rnd.nextInt(20), rnd.nextInt(3) == 0 ? null : "w" + rnd.nextInt(2));
        if (rnd.nextInt(4) == 0 && !live.isEmpty()) {
          Live victim = live.iterator().next();
          t = rnd.nextBoolean() ? victim : t; // delete a live one or one that is not there
          if (t.eventTime()) {
            queues[t.queue()].deleteEventTime(t.time(), t.key(), t.namespace());
          } else {
            queues[t.queue()].deleteProcessingTime(t.time(), t.key(), t.namespace());
          }
          live.remove(t);
        } else {
          if (eventTime) {
            queues[qi].registerEventTime(t.time(), t.key(), t.namespace());
          } else {
            queues[qi].registerProcessingTime(t.time(), t.key(), t.namespace());
          }
          live.add(t);
        }
      }
      long earliestProcessing = live.stream().filter(l -> !l.eventTime()).mapToLong(Live::time).min().orElse(Long.MAX_VALUE);
      assertThat(clock.wakeUpAt()).as("the wake-up is set no later than the earliest processing-time timer")
          .isLessThanOrEqualTo(earliestProcessing);

      fired.clear();
      boolean byWatermark = rnd.nextBoolean();
      long to;
      if (byWatermark) {
        watermark = Math.max(watermark, 0) + rnd.nextInt(200);
        to = watermark;
        timers.advanceWatermark(watermark);
      } else {
        to = clock.now + rnd.nextInt(200);
        clock.advanceTo(to);
      }
      List<Fired> expected = new ArrayList<>();
      for (Live l : new ArrayList<>(live)) {
        if (l.eventTime() == byWatermark && l.time() <= to) {
          expected.add(new Fired(l.queue(), byWatermark ? KeyedTimers.Domain.EVENT_TIME : KeyedTimers.Domain.PROCESSING_TIME,
              l.time(), l.key(), l.namespace()));
          live.remove(l);
        }
      }
      List<Fired> sorted = new ArrayList<>(fired);
      sorted.sort(ORDER);
      expected.sort(ORDER);
      assertThat(sorted).as("round %d", round).isEqualTo(expected);
      for (int i = 1; i < fired.size(); i++) {
        Fired a = fired.get(i - 1);
        Fired b = fired.get(i);
        assertThat(a.queue() < b.queue() || (a.queue() == b.queue() && a.time() <= b.time()))
            .as("queue by queue, each in time order: %s then %s", a, b).isTrue();
      }
    }

    // the end of input: processing-time timers never fire again, event-time ones still do
    timers.endOfInput();
    fired.clear();
    clock.advanceTo(Long.MAX_VALUE - 1);
    assertThat(clock.wakeUpAt()).isEqualTo(Long.MAX_VALUE);
    assertThat(fired).isEmpty();
    timers.advanceWatermark(Long.MAX_VALUE);
    long pendingEventTimers = live.stream().filter(Live::eventTime).count(); // with those the firing added
    assertThat(fired).hasSize((int) pendingEventTimers).allMatch(f -> f.domain() == KeyedTimers.Domain.EVENT_TIME);
  }

  @Test
  void heapTimersRestoredIntoTwoHalvesOfTheKeyGroupsComeBackOnceEach() {
    ManualClock clock = new ManualClock();
    KeyedTimers timers = new KeyedTimers(stores("heap", 0, MAX_PARALLELISM - 1), clock, (q, d, t) -> {});
    KeyedTimers.Queue a = timers.queue("a");
    KeyedTimers.Queue b = timers.queue("b");
    Set<Fired> all = new HashSet<>();
    Random rnd = new Random(9);
    for (int i = 0; i < 2_000; i++) {
      long time = rnd.nextInt(10_000);
      Object key = "k" + rnd.nextInt(300);
      Object ns = rnd.nextBoolean() ? null : rnd.nextInt(4);
      boolean event = rnd.nextBoolean();
      KeyedTimers.Queue q = rnd.nextBoolean() ? a : b;
      if (event) {
        q.registerEventTime(time, key, ns);
      } else {
        q.registerProcessingTime(time + clock.now, key, ns);
      }
      all.add(new Fired(q == a ? 0 : 1, event ? KeyedTimers.Domain.EVENT_TIME : KeyedTimers.Domain.PROCESSING_TIME,
          event ? time : time + clock.now, key, ns));
    }
    KeyGroupSections sections = new KeyGroupSections();
    timers.snapshot(sections, k -> KeyGroups.keyGroupOf(k, MAX_PARALLELISM), dynamic());
    byte[] bytes = sections.toBytes();

    Set<Fired> restored = new HashSet<>();
    int[][] halves = {{0, 63}, {64, MAX_PARALLELISM - 1}};
    for (int[] half : halves) {
      ManualClock c = new ManualClock();
      KeyedTimers.Queue[] qs = new KeyedTimers.Queue[2];
      KeyedTimers r = new KeyedTimers(stores("heap", half[0], half[1]), c, (q, d, t) -> {
        assertThat(KeyGroups.keyGroupOf(t.key(), MAX_PARALLELISM)).isBetween(half[0], half[1]);
        assertThat(restored.add(new Fired(q == qs[0] ? 0 : 1, d, t.time(), t.key(), t.namespace()))).isTrue();
      });
      qs[0] = r.queue("a");
      qs[1] = r.queue("b");
      KeyGroupSections.read(bytes, half[0], half[1], (kg, in) -> {
        while (in.hasRemaining()) {
          int tag = in.readByte();
          assertThat(KeyedTimers.isTimerRecord(tag)).isTrue();
          r.restore(tag, in, dynamic());
        }
      });
      r.start();
      assertThat(c.wakeUpAt()).as("the restored processing-time timers set the wake-up").isLessThan(Long.MAX_VALUE);
      r.advanceWatermark(Long.MAX_VALUE);
      c.advanceTo(Long.MAX_VALUE - 1);
    }
    assertThat(restored).isEqualTo(all);
  }
}
