package io.eddy.connectors.generator;

/**
 * The benchmark's event generator (bench/WORKLOADS.md): event {@code i} is a pure function of
 * {@code i}, so any engine and any test can recompute the exact stream. Event time advances 10
 * events per millisecond and is out of order by at most 49 ms.
 */
public final class BidGenerator {
  public static final long BASE_TIME = 1_700_000_000_000L;

  private BidGenerator() {}

  public static Bid bid(long i) {
    long h = (i + 1) * 0x9E3779B97F4A7C15L;
    h ^= (h >>> 32);
    h *= 0xBF58476D1CE4E5B9L;
    h ^= (h >>> 29);
    int auction = (int) ((h & 0x7fffffffL) % 10_000);
    int bidder = (int) (((h >>> 16) & 0x7fffffffL) % 100_000);
    long price = 100 + ((h >>> 8) & 0xffffL) % 10_000;
    long ts = BASE_TIME + i / 10 - ((h >>> 40) & 0xffffL) % 50;
    return new Bid(auction, bidder, price, ts);
  }
}
