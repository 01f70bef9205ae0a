package io.eddy.time;

import static io.eddy.time.TimeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.function.AggregateFunction;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idleness. A source with two splits: split 0 is always active (it emits its data, then a
 * keep-alive record every 20 ms); split 1 emits a few records and falls silent, then resumes and
 * emits one record every 10 ms from an event time far ahead of anything fired. With
 * {@code withIdleness(200 ms)} the silent split stops holding the watermark, so split 0's windows
 * fire while split 1 is silent (split 1 resumes as soon as the sink got a result); once it
 * resumes it holds the watermark again, so none of its records is late even though split 0 races
 * ahead. Without idleness nothing fires until split 1 resumes (after a fixed silence).
 */
@Timeout(120)
class IdlenessTest {
  static final long BASE = 1_000_000;
  static final long SIZE = 500;
  static final long BOUND = 100;
  static final long CAP_A = BASE + 3000; // split 0's data before split 1 resumes
  static final long KEEP_ALIVE_CAP = CAP_A + 1000; // keep-alives raise time by 1 ms each, up to here
  static final long RESUME_TS = CAP_A + 1500; // split 1's first record after the silence
  static final long CAP_B = BASE + 8000; // split 0's data after split 1 resumed
  static final int RESUMED_RECORDS = 40;
  static final int KEYS = 3;
  static final long RESUMED = 1_000_000;

  /** What the two readers share with the test. */
  static final class Script {
    final long silenceMillis;
    final CollectSink<Agg> sink = new CollectSink<>();
    final Queue<Ev> emitted = new ConcurrentLinkedQueue<>();
    final AtomicLong resumeNanos = new AtomicLong();
    final AtomicBoolean resumedRecordAtWindow = new AtomicBoolean();
    final AtomicBoolean silentSplitDone = new AtomicBoolean();

    Script(long silenceMillis) {
      this.silenceMillis = silenceMillis;
    }
  }

  record Split(int index) implements SourceSplit {
    public String id() {
      return "split-" + index;
    }
  }

  static final class ScriptedSource implements Source<Ev> {
    final Script script;

    ScriptedSource(Script script) {
      this.script = script;
    }

    @Override
    public List<Split> createSplits(int parallelism) {
      return List.of(new Split(0), new Split(1));
    }

    @Override
    public SourceReader<Ev> createReader(SourceReaderContext context) {
      return context.subtaskIndex() == 0 ? new ActiveReader(script, context) : new SilentReader(script, context);
    }
  }

  /** Base of the readers: emitting (and logging) a record, and polling again after a delay. */
  abstract static class ScriptedReader implements SourceReader<Ev> {
    final Script script;
    final SourceReaderContext context;
    boolean timerPending;
    int count;
    long valueBase; // tells the splits' records apart: split 1's resumed records have values >= RESUMED

    ScriptedReader(Script script, SourceReaderContext context) {
      this.script = script;
      this.context = context;
    }

    @Override
    public void addSplits(List<SourceSplit> splits) {}

    void emit(SourceOutput<Ev> out, long ts) {
      Ev e = new Ev(count % KEYS, valueBase + count, ts);
      count++;
      script.emitted.add(e);
      out.collect(e, ts);
    }

    /** Returns NOTHING_AVAILABLE and asks to be polled again in {@code millis}. */
    InputStatus later(long millis) {
      if (!timerPending) {
        timerPending = true;
        context.vertx().setTimer(millis, id -> {
          timerPending = false;
          context.wakeUp();
        });
      }
      return InputStatus.NOTHING_AVAILABLE;
    }
  }

  /** Split 0: data up to CAP_A, keep-alives until split 1's resumed records reach the window, data up to CAP_B, keep-alives until split 1 ends. */
  static final class ActiveReader extends ScriptedReader {
    long next = BASE;
    long keepAliveTs = CAP_A;
    long lastKeepAlive;
    boolean released;
    final long deadline = System.currentTimeMillis() + 30_000;

    ActiveReader(Script script, SourceReaderContext context) {
      super(script, context);
    }

    @Override
    public InputStatus pollNext(SourceOutput<Ev> out, int maxRecords) {
      if (!released && (script.resumedRecordAtWindow.get() || System.currentTimeMillis() > deadline)) {
        released = true;
      }
      long cap = released ? CAP_B : CAP_A;
      if (released && next <= KEEP_ALIVE_CAP) {
        next = KEEP_ALIVE_CAP + 1;
      }
      int n = 0;
      while (next <= cap && n < maxRecords) {
        emit(out, next++);
        n++;
      }
      if (n > 0) {
        return InputStatus.MORE_AVAILABLE;
      }
      if (released && script.silentSplitDone.get()) {
        return InputStatus.END_OF_INPUT;
      }
      long now = System.currentTimeMillis();
      if (now - lastKeepAlive >= 20) {
        lastKeepAlive = now;
        if (!released && keepAliveTs < KEEP_ALIVE_CAP) {
          keepAliveTs++;
        }
        emit(out, released ? CAP_B : keepAliveTs);
      }
      return later(20);
    }
  }

  /** Split 1: five early records, silence, then one record every 10 ms from RESUME_TS. */
  static final class SilentReader extends ScriptedReader {
    int phase;
    long silentSince;
    int resumed;

    SilentReader(Script script, SourceReaderContext context) {
      super(script, context);
    }

    @Override
    public InputStatus pollNext(SourceOutput<Ev> out, int maxRecords) {
      switch (phase) {
        case 0 -> {
          for (int i = 0; i < 5; i++) {
            emit(out, BASE + 10L * i);
          }
          phase = 1;
          silentSince = System.currentTimeMillis();
          return later(10);
        }
        case 1 -> {
          boolean gotResults = !script.sink.received.isEmpty();
          if (!gotResults && System.currentTimeMillis() - silentSince < script.silenceMillis) {
            return later(10);
          }
          script.resumeNanos.set(System.nanoTime());
          valueBase = RESUMED;
          phase = 2;
          return pollNext(out, maxRecords);
        }
        default -> {
          if (resumed == RESUMED_RECORDS) {
            script.silentSplitDone.set(true);
            return InputStatus.END_OF_INPUT;
          }
          emit(out, RESUME_TS + 5L * resumed++);
          return later(10);
        }
      }
    }
  }

  /** Sum and count; notes when split 1's resumed records reach the window operator. */
  static final class NotingSumCount implements AggregateFunction<Ev, long[], long[]> {
    final Script script;
    final SumCount inner = new SumCount();

    NotingSumCount(Script script) {
      this.script = script;
    }

    @Override
    public long[] createAccumulator() {
      return inner.createAccumulator();
    }

    @Override
    public long[] add(Ev e, long[] acc) {
      if (e.value() >= RESUMED) {
        script.resumedRecordAtWindow.set(true);
      }
      return inner.add(e, acc);
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return inner.merge(a, b);
    }
  }

  static JobResult runScript(Script script, boolean idleness) throws Exception {
    WatermarkStrategy<Ev> strategy = WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(BOUND));
    WatermarkStrategy<Ev> s = idleness ? strategy.withIdleness(Duration.ofMillis(200)) : strategy;
    JobResult r = run(config(2, ""), (pipeline, params) -> pipeline
        .source("src", new ScriptedSource(script))
        .assignTimestampsAndWatermarks(s).name("wm")
        .keyBy(Ev::key)
        .window(TumblingWindows.<Ev>eventTime(Duration.ofMillis(SIZE)))
        .aggregate(new NotingSumCount(script), new ToAgg()).name("w")
        .sink(script.sink).name("sink"));
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    // every record of both splits is in exactly one result: nothing was late, nothing fired twice
    assertThat(r.metric("w.lateRecordsDropped")).isZero();
    Map<WinKey, List<Long>> oracle = WindowOracleTest.tumblingOracle(new ArrayList<>(script.emitted), SIZE);
    assertThat(byWindow(script.sink.values())).isEqualTo(oracle);
    long resumedCount = script.emitted.stream().filter(e -> e.value() >= RESUMED).count();
    assertThat(resumedCount).isEqualTo(RESUMED_RECORDS);
    return r;
  }

  @Test
  void idleSplitStopsHoldingTheWatermarkAndHoldsItAgainWhenItResumes() throws Exception {
    Script script = new Script(30_000);
    runScript(script, true);
    long resumed = script.resumeNanos.get();
    List<Got<Agg>> early = script.sink.received.stream().filter(g -> g.nanos() < resumed).toList();
    assertThat(early).as("results while split 1 was silent").isNotEmpty();
    // the early results are windows split 0 completed (before CAP_A), and split 1's early records are in them
    assertThat(early).allSatisfy(g -> assertThat(g.value().end()).isLessThanOrEqualTo(CAP_A));
    assertThat(early).anySatisfy(g -> assertThat(g.value().start()).isEqualTo(BASE));
  }

  @Test
  void withoutIdlenessASilentSplitHoldsEverything() throws Exception {
    Script script = new Script(1000);
    runScript(script, false);
    long resumed = script.resumeNanos.get();
    assertThat(script.sink.received).isNotEmpty();
    assertThat(script.sink.received).allSatisfy(g -> assertThat(g.nanos()).isGreaterThan(resumed));
  }
}
