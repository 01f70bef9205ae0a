package io.eddy.connectors.generator;

import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded, parallel source of {@link Bid}s: with parallelism {@code p}, split {@code j} holds
 * every event {@code i < events} with {@code i % p == j}, in increasing {@code i}. Each bid carries
 * its {@code ts} as the record timestamp. An optional rate (events per second over all splits)
 * spreads a run out in time; 0 means as fast as possible.
 */
public final class BidSource implements Source<Bid> {
  private final long events;
  private final long ratePerSecond;
  private final int splits;

  public BidSource(long events) {
    this(events, 0);
  }

  public BidSource(long events, long ratePerSecond) {
    this(events, ratePerSecond, 0);
  }

  /**
   * @param splits how many splits to divide the events into (split {@code j} of {@code s} holds
   *     the events with {@code i % s == j}); 0 for one per subtask, as the benchmark defines it.
   *     A fixed count lets a checkpoint be restored at another parallelism.
   */
  public BidSource(long events, long ratePerSecond, int splits) {
    if (splits < 0) {
      throw new IllegalArgumentException("splits must be >= 0, got " + splits);
    }
    this.splits = splits;
    if (events < 0) {
      throw new IllegalArgumentException("events must be >= 0, got " + events);
    }
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException("rate must be >= 0, got " + ratePerSecond);
    }
    this.events = events;
    this.ratePerSecond = ratePerSecond;
  }

  /** Events {@code first, first + stride, ...} below {@code end}. */
  public record Split(int index, long first, long stride, long end) implements SourceSplit {
    public String id() {
      return "bids-" + index + "-of-" + stride;
    }
  }

  @Override
  public List<Split> createSplits(int parallelism) {
    int n = splits > 0 ? splits : parallelism;
    List<Split> list = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      list.add(new Split(j, j, n, events));
    }
    return list;
  }

  @Override
  public SourceReader<Bid> createReader(SourceReaderContext context) {
    return new Reader(context, ratePerSecond);
  }

  /**
   * Reads its splits interleaved, in increasing event index over all of them, so event time stays
   * in order when a subtask holds several splits (a fixed split count above the parallelism).
   */
  private static final class Reader implements SourceReader<Bid> {
    private final SourceReaderContext context;
    private final double eventsPerMilli; // of this subtask; 0: unlimited
    private final List<Split> splits = new ArrayList<>();
    private long[] next = new long[0]; // per split: the next event index
    private int lastSplit = -1;
    private long emitted;
    private long startMillis = -1;

    Reader(SourceReaderContext context, long ratePerSecond) {
      this.context = context;
      this.eventsPerMilli = ratePerSecond / 1000.0 / context.parallelism();
    }

    @Override
    public void addSplits(List<SourceSplit> assigned) {
      addSplits(assigned, java.util.Map.of());
    }

    @Override
    public void addSplits(List<SourceSplit> assigned, java.util.Map<String, String> positions) {
      for (SourceSplit s : assigned) {
        splits.add((Split) s);
      }
      next = new long[splits.size()];
      for (int k = 0; k < next.length; k++) {
        Split s = splits.get(k);
        String p = positions.get(s.id());
        next[k] = p == null ? s.first() : "done".equals(p) ? s.end() : Long.parseLong(p);
      }
    }

    @Override
    public java.util.Map<String, String> snapshotPositions() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      for (int k = 0; k < next.length; k++) {
        m.put(splits.get(k).id(), next[k] >= splits.get(k).end() ? "done" : Long.toString(next[k]));
      }
      return m;
    }

    @Override
    public InputStatus pollNext(SourceOutput<Bid> output, int maxRecords) {
      int budget = maxRecords;
      if (eventsPerMilli > 0) {
        long now = System.currentTimeMillis();
        if (startMillis < 0) {
          startMillis = now;
        }
        long allowed = (long) ((now - startMillis + 1) * eventsPerMilli) - emitted;
        if (allowed <= 0) {
          context.vertx().setTimer(1, t -> context.wakeUp());
          return InputStatus.NOTHING_AVAILABLE;
        }
        budget = (int) Math.min(budget, allowed);
      }
      if (next.length == 1) {
        // one split (the benchmark's layout): a tight loop
        Split s = splits.get(0);
        long i = next[0];
        long end = s.end();
        long stride = s.stride();
        output.split(s.id());
        while (budget > 0 && i < end) {
          Bid b = BidGenerator.bid(i);
          output.collect(b, b.ts());
          i += stride;
          budget--;
          emitted++;
        }
        next[0] = i;
        if (i < end) {
          return InputStatus.MORE_AVAILABLE;
        }
        output.splitFinished(s.id());
        return InputStatus.END_OF_INPUT;
      }
      while (budget > 0) {
        int k = -1;
        long min = Long.MAX_VALUE;
        for (int j = 0; j < next.length; j++) {
          if (next[j] < splits.get(j).end() && next[j] < min) {
            min = next[j];
            k = j;
          }
        }
        if (k < 0) {
          return InputStatus.END_OF_INPUT;
        }
        if (k != lastSplit) {
          output.split(splits.get(k).id());
          lastSplit = k;
        }
        Bid b = BidGenerator.bid(min);
        output.collect(b, b.ts());
        next[k] = min + splits.get(k).stride();
        if (next[k] >= splits.get(k).end()) {
          output.splitFinished(splits.get(k).id());
        }
        budget--;
        emitted++;
      }
      for (int j = 0; j < next.length; j++) {
        if (next[j] < splits.get(j).end()) {
          return InputStatus.MORE_AVAILABLE;
        }
      }
      return InputStatus.END_OF_INPUT;
    }
  }
}
