package io.eddy.examples;

import io.eddy.api.BadRecord;
import io.eddy.api.DataStream;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.OutputTag;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.config.ConfigException;
import io.eddy.config.JobParams;
import io.eddy.connectors.file.TextFileSink;
import io.eddy.connectors.file.TextFileSource;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.SlidingWindows;
import io.eddy.time.TimeWindow;
import io.eddy.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The "hot items" query of the NEXMark benchmark: every {@code slideMs}, the {@code n} auctions
 * that received the most bids during the last {@code windowMs} of event time.
 *
 * <p>Input: CSV lines {@code timestampMillis,auction,bidder,price} (a header line starting with
 * {@code ts} and blank lines are skipped). Bids may arrive out of order by up to
 * {@code outOfOrdernessMs}; a bid later than that is dropped by the window operator and counted in
 * its metric {@code lateRecordsDropped}. A directory is read file by file, the files spread over the
 * source subtasks, and each subtask keeps one watermark for all of its files: so files read by the
 * same subtask should follow each other in time (or give at most one file per subtask), or the
 * later files' bids fall behind the watermark.
 *
 * <p>Output: for each window, one line {@code <windowEnd> <rank> <auction> <count>} per rank
 * {@code 1..n}, ordered by count (descending), then auction id (ascending); a window with fewer than
 * {@code n} auctions has fewer lines, a window without bids none. Lines go to
 * {@code <output>/part-<subtask>}; each part file holds whole windows in ascending order of their
 * end.
 *
 * <p>The dataflow: parse and validate each line, assign event time with bounded out-of-orderness,
 * key by auction, count bids in sliding event-time windows (an incremental count plus a
 * {@link ProcessWindowFunction} that attaches the window's end), then key the counts by window end
 * and rank them in a {@link KeyedProcessFunction} that keeps the best {@code n} in keyed state and
 * emits them from an event-time timer once the watermark shows that every count of the window has
 * arrived.
 *
 * <p>Malformed lines follow the job's bad-record policy (the job file's {@code badRecords} key):
 * the timestamp assigner validates the whole line and throws for a bad one, so under
 * {@code "fail"} the job fails naming the line, under {@code "skip"} the line is counted in the
 * metric {@code event-time.badRecords}, and under {@code "deadLetter"} it is counted and sent to
 * the side output {@link OutputTag#BAD_RECORDS}, which this job writes to {@code rejectedOutput}
 * (lines {@code <line><TAB><reason>}) when that parameter is set. The policy is applied by the
 * timestamp-assigning operator only (a map or flatMap has no way to reject a record under it),
 * hence the validation there; the valid line is parsed again by the map after it, which costs
 * little next to the exchange.
 *
 * <p>Parameters: {@code input} (file or directory), {@code output} (directory), {@code windowMs}
 * (default 60000), {@code slideMs} (default 10000), {@code n} (default 3), {@code outOfOrdernessMs}
 * (default 1000), {@code rejectedOutput} (optional directory for rejected lines).
 */
public final class HotItems implements StreamJob {

  /** One bid of an auction. */
  public record Bid(long timestamp, long auction, long bidder, long price) {

    /**
     * Parses {@code timestampMillis,auction,bidder,price}: four non-negative integers, optional
     * spaces around each.
     *
     * @throws IllegalArgumentException naming the line when it is not such a line
     */
    public static Bid parse(String line) {
      String[] f = line.split(",", -1);
      if (f.length != 4) {
        throw new IllegalArgumentException("expected 4 fields 'timestampMillis,auction,bidder,price', got "
            + f.length + " in '" + line + "'");
      }
      return new Bid(field(f[0], "timestampMillis", line), field(f[1], "auction", line),
          field(f[2], "bidder", line), field(f[3], "price", line));
    }

    private static long field(String text, String name, String line) {
      try {
        long v = Long.parseLong(text.strip());
        if (v >= 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name + " is not a non-negative integer in '" + line + "'");
    }
  }

  /** How many bids an auction received in the window ending (exclusively) at {@code windowEnd}. */
  public record AuctionCount(long windowEnd, long auction, long count) {}

  /** One line of the result: the auction at {@code rank} (1 is the hottest) of a window. */
  public record Ranked(long windowEnd, int rank, long auction, long count) {
    /** The output line {@code <windowEnd> <rank> <auction> <count>}. */
    public String format() {
      return windowEnd + " " + rank + " " + auction + " " + count;
    }
  }

  /** The best {@code n} counts of one window so far, best first (the state of {@link TopN}). */
  public record Leaders(List<AuctionCount> best) {}

  /** Count descending, then auction ascending: the order of ranks. */
  static final Comparator<AuctionCount> RANKING =
      Comparator.comparingLong(AuctionCount::count).reversed().thenComparingLong(AuctionCount::auction);

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    long windowMs = params.getLong("windowMs", 60_000);
    long slideMs = params.getLong("slideMs", 10_000);
    int n = params.getInt("n", 3);
    long outOfOrdernessMs = params.getLong("outOfOrdernessMs", 1_000);
    check(windowMs > 0, "windowMs", "must be positive", windowMs);
    check(slideMs > 0 && slideMs <= windowMs, "slideMs", "must be positive and at most windowMs", slideMs);
    check(n > 0, "n", "must be positive", n);
    check(outOfOrdernessMs >= 0, "outOfOrdernessMs", "must not be negative", outOfOrdernessMs);
    String rejected = params.getPath("rejectedOutput", null);

    DataStream<String> lines = pipeline.source("read", new TextFileSource(params.requirePath("input")))
        .filter(HotItems::isData).name("skip-header")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<String>forBoundedOutOfOrderness(
                Duration.ofMillis(outOfOrdernessMs))
            .withTimestampAssigner((line, ignored) -> Bid.parse(line).timestamp()))
        .name("event-time");
    if (rejected != null) {
      lines.sideOutput(OutputTag.BAD_RECORDS)
          .sink(new TextFileSink<BadRecord>(rejected, b -> b.record() + "\t" + b.reason()))
          .name("write-rejected");
    }
    lines.map(Bid::parse).name("parse")
        .keyBy(Bid::auction)
        .window(SlidingWindows.<Bid>eventTime(Duration.ofMillis(windowMs), Duration.ofMillis(slideMs)))
        .aggregate(new CountBids(), new WithWindowEnd()).name("count-per-window")
        .keyBy(AuctionCount::windowEnd)
        .process(new TopN(n)).name("top-n")
        .sink(new TextFileSink<Ranked>(params.requirePath("output"), Ranked::format)).name("write");
  }

  /** False for blank lines and the header (a line starting with {@code ts}). */
  static boolean isData(String line) {
    return !line.isBlank() && !line.startsWith("ts");
  }

  static void check(boolean ok, String key, String rule, long value) {
    if (!ok) {
      throw new ConfigException("job parameter '" + key + "' " + rule + ", got " + value);
    }
  }

  /** Counts the bids of a key in a window. */
  static final class CountBids implements AggregateFunction<Bid, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Bid bid, Long count) {
      return count + 1;
    }

    @Override
    public Long getResult(Long count) {
      return count;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Turns the count of an auction's window into an {@link AuctionCount} naming the window. */
  static final class WithWindowEnd extends ProcessWindowFunction<Long, AuctionCount, Long, TimeWindow> {
    @Override
    public void process(Long auction, Context<TimeWindow> ctx, Iterable<Long> counts, Collector<AuctionCount> out) {
      for (Long count : counts) {
        out.collect(new AuctionCount(ctx.window().end(), auction, count));
      }
    }
  }

  /**
   * Ranks the counts of one window (the key is the window's end). Every count of a window carries
   * the window's last timestamp, {@code windowEnd - 1}, and the window operators emit them before
   * they pass on the watermark that fired the window. So once this operator's watermark (the
   * minimum over all window subtasks) reaches {@code windowEnd - 1}, every count of the window has
   * arrived: an event-time timer at that time emits the ranking. The end of the input moves the
   * watermark to +infinity, which fires the remaining timers.
   *
   * <p>Only the best {@code n} counts are kept: each (auction, window) count arrives exactly once,
   * so a count that falls out of the best {@code n} can never come back.
   */
  static final class TopN extends KeyedProcessFunction<Long, AuctionCount, Ranked> {
    private final int n;
    private ValueState<Leaders> leaders;

    TopN(int n) {
      this.n = n;
    }

    @Override
    public void open(RuntimeContext context) {
      leaders = context.keyedState().getState(new ValueStateDescriptor<>("leaders", Leaders.class));
    }

    @Override
    public void processElement(AuctionCount c, Context<Long> ctx, Collector<Ranked> out) {
      Leaders current = leaders.value();
      List<AuctionCount> best;
      if (current == null) {
        best = new ArrayList<>(n + 1);
        ctx.timerService().registerEventTimeTimer(c.windowEnd() - 1);
      } else {
        best = current.best();
      }
      int at = 0;
      while (at < best.size() && RANKING.compare(best.get(at), c) <= 0) {
        at++;
      }
      if (at < n) {
        best.add(at, c);
        if (best.size() > n) {
          best.remove(n);
        }
      }
      leaders.update(new Leaders(best));
    }

    @Override
    public void onTimer(long timestamp, Context<Long> ctx, Collector<Ranked> out) {
      Leaders current = leaders.value();
      if (current == null) {
        return;
      }
      int rank = 1;
      for (AuctionCount c : current.best()) {
        out.collect(new Ranked(c.windowEnd(), rank++, c.auction(), c.count()));
      }
      leaders.clear();
    }
  }
}
