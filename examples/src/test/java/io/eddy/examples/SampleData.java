package io.eddy.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Deterministic inputs for {@link HotItems} and {@link FraudDetection}: the committed samples in
 * {@code examples/data/} and the larger inputs of the tests. {@link Random} with a fixed seed gives
 * the same sequence on every JVM, so equal arguments give equal files.
 *
 * <p>Out-of-order arrival: every event gets a random delay in {@code [0, maxDelayMs)} and the
 * lines are written in order of time plus delay. An event then arrives after an event with a
 * larger time by less than {@code maxDelayMs}, so with {@code maxDelayMs <= outOfOrdernessMs} no
 * event is behind the watermark.
 *
 * <p>Regenerate the samples (after {@code mvn -q -pl examples -am package -DskipTests}) from the repo root:
 * {@code java -cp examples/target/test-classes:examples/target/eddy-examples.jar io.eddy.examples.SampleData examples/data}.
 */
public final class SampleData {
  /** 2023-11-14T22:13:20Z, the start of the samples' event time. */
  static final long START = 1_700_000_000_000L;

  private SampleData() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples/data");
    Files.createDirectories(dir);
    Files.write(dir.resolve("bids.csv"), bidsSample(), StandardCharsets.UTF_8);
    Files.write(dir.resolve("transactions.csv"), transactionsSample(), StandardCharsets.UTF_8);
  }

  private record Timed(long time, long arrival, int order, String line) {}

  private static List<String> inArrivalOrder(List<Timed> events) {
    List<Timed> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Timed::arrival).thenComparingInt(Timed::order));
    List<String> lines = new ArrayList<>(sorted.size());
    for (Timed t : sorted) {
      lines.add(t.line());
    }
    return lines;
  }

  // ---- bids

  /** The sample: 2,000 bids over about 10 minutes on 30 auctions, a header and 3 malformed lines. */
  static List<String> bidsSample() {
    List<String> lines = new ArrayList<>();
    lines.add("ts,auction,bidder,price");
    lines.addAll(bids(20231114L, 2_000, 30, 300, 900));
    lines.add(700, "1700000175000,1007,not-a-bidder,300");
    lines.add(1400, "");
    lines.add(1401, "1700000400000,1012,17");
    lines.add(1900, "garbage line");
    return lines;
  }

  /**
   * {@code count} bids, one every 300 ms on average, on auctions {@code 1000..1000+auctions-1}
   * with skewed popularity (auction {@code 1000+i} is picked with weight about {@code 1/(i+1)}),
   * bidders {@code 1..bidders}, in arrival order with delays below {@code maxDelayMs}.
   */
  static List<String> bids(long seed, int count, int auctions, int bidders, long maxDelayMs) {
    Random r = new Random(seed);
    double[] cumulative = new double[auctions];
    double sum = 0;
    for (int i = 0; i < auctions; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    List<Timed> events = new ArrayList<>(count);
    long t = START;
    for (int i = 0; i < count; i++) {
      t += r.nextInt(600);
      double u = r.nextDouble() * sum;
      int a = 0;
      while (a < auctions - 1 && cumulative[a] < u) {
        a++;
      }
      long auction = 1000 + a;
      long bidder = 1 + r.nextInt(bidders);
      long price = 100 + r.nextInt(100_000);
      long delay = maxDelayMs == 0 ? 0 : (long) (r.nextDouble() * maxDelayMs);
      events.add(new Timed(t, t + delay, i, t + "," + auction + "," + bidder + "," + price));
    }
    return inArrivalOrder(events);
  }

  // ---- transactions

  /**
   * The sample: background traffic on ten accounts plus accounts {@code acct-S01..} that each play
   * one scenario of the rule, in arrival order with delays below 900 ms; a header line first.
   */
  static List<String> transactionsSample() {
    Random r = new Random(20231115L);
    List<Timed> events = new ArrayList<>();
    int[] order = {0};
    // background: 10 accounts, ~25 transactions each over 40 minutes, mostly ordinary amounts
    for (int i = 0; i < 250; i++) {
      String account = String.format("acct-%02d", 1 + r.nextInt(10));
      long t = START + r.nextInt(40 * 60_000);
      long cents = ordinaryCents(r);
      add(events, order, t, account, cents, (long) (r.nextDouble() * 900));
    }
    long base = START + 60_000;
    // S01: small, large 30 s later -> alert
    scenario(events, order, r, "acct-S01", base, 57, 30_000, 73_120);
    // S02: small, large 61 s later -> none (outside the minute)
    scenario(events, order, r, "acct-S02", base + 5_000, 12, 61_000, 99_000);
    // S03: small, large exactly 60 s later -> none (the minute is [small, small + 60 s))
    scenario(events, order, r, "acct-S03", base + 9_000, 99, 60_000, 51_000);
    // S04: small, large 59.999 s later -> alert
    scenario(events, order, r, "acct-S04", base + 13_000, 1, 59_999, 50_001);
    // S05: small, medium, large within the minute -> none (the medium one lowers the flag)
    add(events, order, base + 20_000, "acct-S05", 45, 0);
    add(events, order, base + 25_000, "acct-S05", 4_500, 0);
    add(events, order, base + 30_000, "acct-S05", 80_000, 0);
    // S06: small, small, large -> alert from the second small
    add(events, order, base + 40_000, "acct-S06", 10, 0);
    add(events, order, base + 50_000, "acct-S06", 20, 0);
    add(events, order, base + 55_000, "acct-S06", 60_000, 0);
    // S07: exactly 1.00 then large -> none (not small); small then exactly 500.00 -> none (not large)
    scenario(events, order, r, "acct-S07", base + 60_000, 100, 10_000, 70_000);
    scenario(events, order, r, "acct-S07", base + 120_000, 50, 10_000, 50_000);
    // S08 and S09 interleaved: S08 small, S09 large, S09 small, S08 large, S09 large -> two alerts
    add(events, order, base + 200_000, "acct-S08", 5, 0);
    add(events, order, base + 201_000, "acct-S09", 90_000, 0);
    add(events, order, base + 202_000, "acct-S09", 7, 0);
    add(events, order, base + 203_000, "acct-S08", 77_777, 0);
    add(events, order, base + 204_000, "acct-S09", 66_666, 0);
    // S10: the large one is written before the small one (300 ms earlier, within the bound) -> alert
    add(events, order, base + 300_000, "acct-S10", 3, 800);
    add(events, order, base + 300_300, "acct-S10", 123_456, 0);
    // S11: three patterns in a row on one account -> alerts for the first and the third
    add(events, order, base + 400_000, "acct-S11", 50, 0);
    add(events, order, base + 410_000, "acct-S11", 60_000, 0);
    add(events, order, base + 420_000, "acct-S11", 50, 0);
    add(events, order, base + 490_000, "acct-S11", 60_000, 0);
    add(events, order, base + 500_000, "acct-S11", 50, 0);
    add(events, order, base + 500_001, "acct-S11", 60_000, 0);
    // S12: small and large at the same millisecond, small written first -> alert
    add(events, order, base + 600_000, "acct-S12", 99, 0);
    add(events, order, base + 600_000, "acct-S12", 50_001, 0);
    List<String> lines = new ArrayList<>();
    lines.add("ts,account,amount");
    lines.addAll(inArrivalOrder(events));
    return lines;
  }

  private static void scenario(List<Timed> events, int[] order, Random r, String account, long t, long smallCents,
      long gap, long largeCents) {
    add(events, order, t, account, smallCents, (long) (r.nextDouble() * 900));
    add(events, order, t + gap, account, largeCents, (long) (r.nextDouble() * 900));
  }

  private static void add(List<Timed> events, int[] order, long t, String account, long cents, long delay) {
    events.add(new Timed(t, t + delay, order[0]++, t + "," + account + "," + FraudDetection.formatCents(cents)));
  }

  /** Mostly 5.00..300.00; about 1 in 12 below 1.00 and 1 in 12 above 500.00. */
  private static long ordinaryCents(Random r) {
    int kind = r.nextInt(12);
    if (kind == 0) {
      return r.nextInt(100);
    }
    if (kind == 1) {
      return 50_001 + r.nextInt(200_000);
    }
    return 500 + r.nextInt(29_500);
  }

  /**
   * {@code count} transactions on {@code accounts} accounts over {@code spanMs}, with bursts that
   * make the rule fire often: a small transaction is followed within two minutes by another
   * transaction of the same account, large or not. Arrival delays are below {@code maxDelayMs}.
   */
  static List<String> transactions(long seed, int count, int accounts, long spanMs, long maxDelayMs) {
    Random r = new Random(seed);
    List<Timed> events = new ArrayList<>(count);
    int[] order = {0};
    while (events.size() < count) {
      String account = "a" + r.nextInt(accounts);
      long t = START + (long) (r.nextDouble() * spanMs);
      long cents = ordinaryCents(r);
      add(events, order, t, account, cents, (long) (r.nextDouble() * maxDelayMs));
      if (cents < 100 && events.size() < count) {
        long next = t + r.nextInt(120_000);
        long nextCents = r.nextBoolean() ? 50_001 + r.nextInt(100_000) : ordinaryCents(r);
        add(events, order, next, account, nextCents, (long) (r.nextDouble() * maxDelayMs));
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add("ts,account,amount");
    lines.addAll(inArrivalOrder(events));
    return lines;
  }
}
