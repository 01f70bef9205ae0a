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

  public BidSource(long events) {
    this(events, 0);
  }

  public BidSource(long events, long ratePerSecond) {
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
    List<Split> splits = new ArrayList<>();
    for (int j = 0; j < parallelism; j++) {
      splits.add(new Split(j, j, parallelism, events));
    }
    return splits;
  }

  @Override
  public SourceReader<Bid> createReader(SourceReaderContext context) {
    return new Reader(context, ratePerSecond);
  }

  private static final class Reader implements SourceReader<Bid> {
    private final SourceReaderContext context;
    private final double eventsPerMilli; // of this subtask; 0: unlimited
    private final List<Split> splits = new ArrayList<>();
    private int current;
    private long next;
    private long emitted;
    private long startMillis = -1;

    Reader(SourceReaderContext context, long ratePerSecond) {
      this.context = context;
      this.eventsPerMilli = ratePerSecond / 1000.0 / context.parallelism();
    }

    @Override
    public void addSplits(List<SourceSplit> assigned) {
      for (SourceSplit s : assigned) {
        splits.add((Split) s);
      }
      if (!splits.isEmpty()) {
        next = splits.get(0).first();
      }
    }

    @Override
    public void addSplits(List<SourceSplit> assigned, java.util.Map<String, String> positions) {
      addSplits(assigned);
      // splits are read one after another: skip the finished ones, resume the current one
      while (current < splits.size() && "done".equals(positions.get(splits.get(current).id()))) {
        current++;
      }
      if (current < splits.size()) {
        String p = positions.get(splits.get(current).id());
        next = p == null ? splits.get(current).first() : Long.parseLong(p);
      }
    }

    @Override
    public java.util.Map<String, String> snapshotPositions() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      for (int i = 0; i < splits.size(); i++) {
        if (i < current) {
          m.put(splits.get(i).id(), "done");
        } else if (i == current) {
          m.put(splits.get(i).id(), Long.toString(next));
        }
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
      while (current < splits.size()) {
        Split s = splits.get(current);
        long i = next;
        long end = s.end();
        long stride = s.stride();
        while (budget > 0 && i < end) {
          Bid b = BidGenerator.bid(i);
          output.collect(b, b.ts());
          i += stride;
          budget--;
          emitted++;
        }
        next = i;
        if (i < end) {
          return InputStatus.MORE_AVAILABLE;
        }
        current++;
        if (current < splits.size()) {
          next = splits.get(current).first();
        }
      }
      return InputStatus.END_OF_INPUT;
    }
  }
}
