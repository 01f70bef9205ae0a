package io.eddy.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded test inputs: out of order within a bound, with some records later than the bound. */
final class Inputs {
  static final long BASE = 1_000_000;

  private Inputs() {}

  /**
   * {@code n} events over {@code keys} keys; event {@code i} is near {@code BASE + i * step}, up to
   * {@code bound} ms behind the highest timestamp before it; a share {@code lateShare} of them is
   * instead {@code bound + 1 .. bound + lateBy} ms behind, so a watermark trailing by the bound
   * finds them late.
   */
  static List<Ev> outOfOrder(long seed, int n, int keys, long step, int bound, double lateShare, int lateBy) {
    Random rnd = new Random(seed);
    List<Ev> out = new ArrayList<>(n);
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long t = BASE + i * step;
      long ts;
      if (max != Long.MIN_VALUE && rnd.nextDouble() < lateShare) {
        ts = Math.max(0, max - bound - 1 - rnd.nextInt(lateBy));
      } else {
        ts = t - rnd.nextInt(bound + 1);
        if (max != Long.MIN_VALUE && ts < max - bound) {
          ts = max - bound; // stay within the bound of the highest so far
        }
      }
      max = Math.max(max, ts);
      out.add(new Ev(rnd.nextInt(keys), rnd.nextInt(1000) - 200, ts));
    }
    return out;
  }

  /** How many events a watermark trailing the highest timestamp by {@code bound} + 1 finds late. */
  static int lateCount(List<Ev> events, long bound) {
    long max = Long.MIN_VALUE;
    int late = 0;
    for (Ev e : events) {
      if (max != Long.MIN_VALUE && e.ts() <= max - bound - 1) {
        late++;
      }
      max = Math.max(max, e.ts());
    }
    return late;
  }
}
