package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.RuntimeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Joins two keyed streams on time: a left record at {@code ta} meets every right record of the same
 * key with {@code ta + lower <= tb <= ta + upper}. Each pair is emitted once, when the second of
 * the two arrives, with the later of the two timestamps (as in Flink). Records are kept in keyed
 * state until the watermark shows no partner can still arrive; records below the watermark on
 * arrival are late and dropped (counted in the metric {@code lateRecordsDropped}).
 */
public final class IntervalJoin<K, A, B> {
  private final KeyedStream<K, A> left;
  private final KeyedStream<K, B> right;
  private long lower;
  private long upper;

  IntervalJoin(KeyedStream<K, A> left, KeyedStream<K, B> right) {
    this.left = left;
    this.right = right;
  }

  public IntervalJoin<K, A, B> between(Duration lower, Duration upper) {
    this.lower = lower.toMillis();
    this.upper = upper.toMillis();
    if (this.lower > this.upper) {
      throw new IllegalArgumentException("interval join: lower bound " + lower + " is above upper bound " + upper);
    }
    return this;
  }

  public <O> DataStream<O> process(ProcessJoinFunction<A, B, O> function) {
    Objects.requireNonNull(function);
    long lo = lower;
    long hi = upper;
    KeySelector<TwoInputElement, K> key = ConnectedStreams.twoInputKey(left.keySelector(), right.keySelector());
    io.eddy.graph.TypeExtraction.Extracted out =
        io.eddy.graph.TypeExtraction.typeArgument(function, ProcessJoinFunction.class, 2);
    return DataStream.typed(ConnectedStreams.tagged(left.input(), right.input())
        .keyBy(key, left.keyType().known() ? left.keyType() : right.keyType())
        .process(new JoinProcess<>(function, lo, hi)), out);
  }

  /** One buffered record. */
  public record Buffered(long timestamp, Object value) {}

  private static final class JoinProcess<K, A, B, O> extends KeyedProcessFunction<K, TwoInputElement, O> {
    private final ProcessJoinFunction<A, B, O> function;
    private final long lower;
    private final long upper;
    private io.eddy.api.state.ListState<Buffered> lefts;
    private io.eddy.api.state.ListState<Buffered> rights;
    private io.eddy.api.Counter late;
    private final PairOut<O> pairOut = new PairOut<>();

    JoinProcess(ProcessJoinFunction<A, B, O> function, long lower, long upper) {
      this.function = function;
      this.lower = lower;
      this.upper = upper;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open(RuntimeContext context) throws Exception {
      lefts = context.keyedState().getListState(new io.eddy.api.state.ListStateDescriptor<>("left", Buffered.class));
      rights = context.keyedState().getListState(new io.eddy.api.state.ListStateDescriptor<>("right", Buffered.class));
      late = context.counter("lateRecordsDropped");
      function.open(context);
    }

    @Override
    public void close() throws Exception {
      function.close();
    }

    @Override
    public void snapshotState(long checkpointId) throws Exception {
      function.snapshotState(checkpointId);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processElement(TwoInputElement e, Context<K> ctx, Collector<O> out) throws Exception {
      long ts = ctx.timestamp();
      if (ts == Long.MIN_VALUE) {
        throw new IllegalStateException("interval join needs timestamps: assign timestamps and watermarks upstream");
      }
      if (ts < ctx.timerService().currentWatermark()) {
        late.inc();
        return;
      }
      pairOut.out = out;
      if (e.first()) {
        for (Buffered b : rights.get()) {
          if (b.timestamp() >= ts + lower && b.timestamp() <= ts + upper) {
            pairOut.timestamp = Math.max(ts, b.timestamp());
            function.processElement((A) e.value(), (B) b.value(), pairOut);
          }
        }
        lefts.add(new Buffered(ts, e.value()));
        ctx.timerService().registerEventTimeTimer(leftCleanup(ts));
      } else {
        for (Buffered a : lefts.get()) {
          if (ts >= a.timestamp() + lower && ts <= a.timestamp() + upper) {
            pairOut.timestamp = Math.max(ts, a.timestamp());
            function.processElement((A) a.value(), (B) e.value(), pairOut);
          }
        }
        rights.add(new Buffered(ts, e.value()));
        ctx.timerService().registerEventTimeTimer(rightCleanup(ts));
      }
    }

    // a buffered record is kept until the watermark passes the last time a partner could have
    // (and at least until its own time), as Flink's interval join does
    private long leftCleanup(long ts) {
      return upper > 0 ? ts + upper : ts;
    }

    private long rightCleanup(long ts) {
      return lower < 0 ? ts - lower : ts;
    }

    @Override
    public void onTimer(long timestamp, Context<K> ctx, Collector<O> out) {
      prune(lefts, b -> leftCleanup(b.timestamp()) <= timestamp);
      prune(rights, b -> rightCleanup(b.timestamp()) <= timestamp);
    }

    /** Emits a pair with the later of its two timestamps. */
    private static final class PairOut<O> implements Collector<O> {
      Collector<O> out;
      long timestamp;

      @Override
      public void collect(O record) {
        if (out instanceof io.eddy.api.function.TimestampedCollector<O> t) {
          t.collectWithTimestamp(record, timestamp);
        } else {
          out.collect(record);
        }
      }
    }

    private static void prune(io.eddy.api.state.ListState<Buffered> s, java.util.function.Predicate<Buffered> done) {
      List<Buffered> keep = new ArrayList<>();
      boolean changed = false;
      for (Buffered b : s.get()) {
        if (done.test(b)) {
          changed = true;
        } else {
          keep.add(b);
        }
      }
      if (changed) {
        s.update(keep);
      }
    }
  }
}
