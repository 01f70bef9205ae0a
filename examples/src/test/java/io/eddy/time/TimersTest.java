package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.Collector;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keyed event-time and processing-time timers of a KeyedProcessFunction. */
@Timeout(120)
class TimersTest {
  static final int BOUND = 30;

  /** A record that registers the timer {@code register} and deletes {@code delete} (-1: none). */
  record Op(int key, long ts, long register, long delete) {}

  /** A timer that fired: key, its time, the watermark (or clock) then, and the context's timestamp. */
  record Fire(int key, long time, long watermark, long timestamp, long currentKeyCheck) {}

  /**
   * Ops over 5 keys, bounded out of order by BOUND. Each registers a timer at least 1 ms after its
   * own timestamp (on a 10 ms grid, so keys register the same time repeatedly); some delete a timer
   * of their key registered earlier whose time is not before their own timestamp. Since the
   * watermark when a record arrives is below its timestamp, such a timer cannot have fired yet, and a
   * timer that fired can no longer be touched by later records.
   */
  static List<Op> ops(long seed, int n) {
    Random rnd = new Random(seed);
    List<Ev> events = boundedOutOfOrder(seed, n, 5, 2, BOUND);
    Map<Integer, List<Long>> registered = new HashMap<>();
    List<Op> out = new ArrayList<>();
    for (Ev e : events) {
      long register = (e.ts() + 1 + rnd.nextInt(200) + 9) / 10 * 10;
      long delete = -1;
      List<Long> mine = registered.computeIfAbsent(e.key(), k -> new ArrayList<>());
      if (rnd.nextInt(100) < 35) {
        List<Long> candidates = mine.stream().filter(t -> t >= e.ts()).toList();
        if (!candidates.isEmpty()) {
          delete = candidates.get(rnd.nextInt(candidates.size()));
        }
      }
      mine.add(register);
      out.add(new Op(e.key(), e.ts(), register, delete));
    }
    return out;
  }

  static final class EventTimers extends KeyedProcessFunction<Integer, Op, Fire> {
    @Override
    public void processElement(Op op, Context<Integer> ctx, Collector<Fire> out) {
      ctx.timerService().registerEventTimeTimer(op.register());
      if (op.delete() >= 0) {
        ctx.timerService().deleteEventTimeTimer(op.delete());
      }
    }

    @Override
    public void onTimer(long timestamp, Context<Integer> ctx, Collector<Fire> out) {
      out.collect(new Fire(ctx.currentKey(), timestamp, ctx.timerService().currentWatermark(), ctx.timestamp(),
          ctx.currentKey()));
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void eventTimeTimersFireOnceInOrderAfterTheWatermarkAndDeletedOnesNever(int p) throws Exception {
    List<Op> ops = ops(5, 4000);
    // oracle: per key, in stream order, add registered times and remove deleted ones
    Map<Integer, Set<Long>> live = new HashMap<>();
    Set<List<Long>> deleted = new HashSet<>();
    for (Op op : ops) {
      Set<Long> s = live.computeIfAbsent(op.key(), k -> new HashSet<>());
      s.add(op.register());
      if (op.delete() >= 0) {
        s.remove(op.delete());
        deleted.add(List.of((long) op.key(), op.delete()));
      }
    }
    Set<List<Long>> expected = new HashSet<>();
    live.forEach((k, s) -> s.forEach(t -> expected.add(List.of((long) k, t))));
    deleted.removeAll(expected);
    assertThat(deleted).as("timers deleted for good").isNotEmpty();

    CollectSink<Fire> sink = new CollectSink<>();
    JobResult r = run(config(p, ""), (pipeline, params) -> pipeline
        .source("src", CollectionSource.withTimestamps(ops, Op::ts)).parallelism(1)
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Op>forBoundedOutOfOrderness(Duration.ofMillis(BOUND)))
        .name("wm").parallelism(1) // chained to the source: each key's records stay in list order
        .keyBy(Op::key)
        .process(new EventTimers()).name("timers")
        .sink(sink).name("sink"));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);

    List<List<Long>> fired = new ArrayList<>();
    Map<Integer, Long> lastPerKey = new HashMap<>();
    for (Fire f : sink.values()) {
      fired.add(List.of((long) f.key(), f.time()));
      assertThat(f.watermark()).as("watermark when %s fired", f).isGreaterThanOrEqualTo(f.time());
      assertThat(f.timestamp()).as("context timestamp of %s", f).isEqualTo(f.time());
      Long last = lastPerKey.put(f.key(), f.time());
      if (last != null) {
        assertThat(f.time()).as("timers of key %d fire in time order", f.key()).isGreaterThan(last);
      }
    }
    assertThat(fired).doesNotHaveDuplicates();
    assertThat(fired).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(fired).doesNotContainAnyElementsOf(deleted);
  }

  /** What the processing-time test shares between the job's functions and the test. */
  static final class Shared {
    final Set<List<Long>> registered = ConcurrentHashMap.newKeySet();
    final Set<List<Long>> deleted = ConcurrentHashMap.newKeySet();
    final AtomicInteger processed = new AtomicInteger();
    final AtomicInteger fired = new AtomicInteger();
  }

  /** Emits a list from one subtask, then stays open until {@code done} (or 20 s) so timers can fire. */
  record HoldingSource<T>(List<T> elements, BooleanSupplier done) implements Source<T> {
    record Split() implements SourceSplit {
      public String id() {
        return "all";
      }
    }

    @Override
    public List<Split> createSplits(int parallelism) {
      return List.of(new Split());
    }

    /** The class of the elements (the tests give elements of one class). */
    @Override
    public java.lang.reflect.Type producedType() {
      return elements.isEmpty() ? null : elements.get(0).getClass();
    }

    @Override
    public SourceReader<T> createReader(SourceReaderContext context) {
      long deadline = System.currentTimeMillis() + 20_000;
      return new SourceReader<>() {
        int next;
        boolean mine;

        @Override
        public void addSplits(List<SourceSplit> splits) {
          mine = !splits.isEmpty();
        }

        @Override
        public InputStatus pollNext(SourceOutput<T> output, int maxRecords) {
          if (!mine) {
            return InputStatus.END_OF_INPUT;
          }
          while (next < elements.size() && maxRecords-- > 0) {
            output.collect(elements.get(next++));
          }
          if (next < elements.size()) {
            return InputStatus.MORE_AVAILABLE;
          }
          if (done.getAsBoolean() || System.currentTimeMillis() > deadline) {
            return InputStatus.END_OF_INPUT;
          }
          context.vertx().setTimer(10, id -> context.wakeUp());
          return InputStatus.NOTHING_AVAILABLE;
        }
      };
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void processingTimeTimersFireOnceAndDeletedOnesNever(int p) throws Exception {
    int n = 300;
    Shared shared = new Shared();
    List<Ev> events = boundedOutOfOrder(9, n, 6, 1, 0); // timestamps 1_000_000 + i: unique
    long t0 = System.currentTimeMillis() + 50; // some timers may be due before their record arrives
    CollectSink<Fire> sink = new CollectSink<>();
    BooleanSupplier done = () -> shared.processed.get() == n
        && shared.fired.get() == shared.registered.size() - shared.deleted.size();
    JobResult r = run(config(p, ""), (pipeline, params) -> pipeline
        .source("src", new HoldingSource<>(events, done))
        .keyBy(Ev::key)
        .process(new KeyedProcessFunction<Integer, Ev, Fire>() {
          @Override
          public void processElement(Ev e, Context<Integer> ctx, Collector<Fire> out) {
            long i = e.ts() - 1_000_000;
            long t = t0 + i; // unique per record
            List<Long> id = List.of((long) e.key(), t);
            ctx.timerService().registerProcessingTimeTimer(t);
            shared.registered.add(id);
            // every fourth record deletes the timer it just registered
            if (i % 4 == 0) {
              ctx.timerService().deleteProcessingTimeTimer(t);
              shared.deleted.add(id);
            }
            shared.processed.incrementAndGet();
          }

          @Override
          public void onTimer(long timestamp, Context<Integer> ctx, Collector<Fire> out) {
            shared.fired.incrementAndGet();
            out.collect(new Fire(ctx.currentKey(), timestamp, ctx.timerService().currentProcessingTime(),
                ctx.timestamp(), ctx.currentKey()));
          }
        }).name("timers")
        .sink(sink).name("sink"));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(shared.processed.get()).isEqualTo(n);
    Set<List<Long>> expected = new HashSet<>(shared.registered);
    expected.removeAll(shared.deleted);
    assertThat(shared.deleted).isNotEmpty();
    List<List<Long>> fired = new ArrayList<>();
    for (Fire f : sink.values()) {
      fired.add(List.of((long) f.key(), f.time()));
      assertThat(f.watermark()).as("clock when %s fired", f).isGreaterThanOrEqualTo(f.time());
    }
    assertThat(fired).doesNotHaveDuplicates();
    assertThat(fired).containsExactlyInAnyOrderElementsOf(expected);
  }
}
