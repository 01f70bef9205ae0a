package io.eddy.runtime.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The emission order of the async operator's queue: input order when ordered; when unordered,
 * completion order within the records between two watermarks, and never a record across a
 * watermark. Random completion orders are checked against those rules as an oracle.
 */
class AsyncResultQueueTest {
  /** A record of the test: its input index. */
  static final class Rec extends AsyncResultQueue.Entry {
    final int index;

    Rec(int index) {
      this.index = index;
    }

    @Override
    public String toString() {
      return "r" + index;
    }
  }

  /** What left the queue, in order: "r<i>" and "w<t>". */
  static final class Log implements AsyncResultQueue.Emitter<Rec> {
    final List<String> out = new ArrayList<>();

    @Override
    public void entry(Rec entry) {
      out.add("r" + entry.index);
    }

    @Override
    public void watermark(long watermark) {
      out.add("w" + watermark);
    }
  }

  @Test
  void orderedEmitsInInputOrderWhateverTheCompletionOrder() {
    Log log = new Log();
    AsyncResultQueue<Rec> q = AsyncResultQueue.create(true, log);
    Rec a = new Rec(0);
    Rec b = new Rec(1);
    Rec c = new Rec(2);
    q.add(a);
    q.add(b);
    q.watermark(10);
    q.add(c);
    assertThat(q.size()).isEqualTo(3);
    q.complete(c);
    q.complete(b);
    assertThat(log.out).as("nothing may pass the first, pending record").isEmpty();
    assertThat(q.size()).as("done records waiting for an earlier one still take a slot").isEqualTo(3);
    q.complete(a);
    assertThat(log.out).containsExactly("r0", "r1", "w10", "r2");
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void unorderedLetsRecordsOvertakeButNotAWatermark() {
    Log log = new Log();
    AsyncResultQueue<Rec> q = AsyncResultQueue.create(false, log);
    Rec a = new Rec(0);
    Rec b = new Rec(1);
    Rec c = new Rec(2);
    Rec d = new Rec(3);
    q.add(a);
    q.add(b);
    q.watermark(10);
    q.add(c);
    q.add(d);
    q.complete(b);
    assertThat(log.out).as("b overtakes a").containsExactly("r1");
    q.complete(d);
    assertThat(log.out).as("d may not cross the watermark while a is pending").containsExactly("r1");
    assertThat(q.size()).isEqualTo(3);
    q.complete(a);
    assertThat(log.out).containsExactly("r1", "r0", "w10", "r3");
    q.complete(c);
    assertThat(log.out).containsExactly("r1", "r0", "w10", "r3", "r2");
    assertThat(q.isEmpty()).isTrue();
  }

  @ParameterizedTest(name = "ordered {0}")
  @ValueSource(booleans = {true, false})
  void aWatermarkWithNothingPendingLeavesAtOnceAndConsecutiveOnesMerge(boolean ordered) {
    Log log = new Log();
    AsyncResultQueue<Rec> q = AsyncResultQueue.create(ordered, log);
    q.watermark(5);
    assertThat(log.out).containsExactly("w5");
    Rec a = new Rec(0);
    q.add(a);
    q.watermark(7);
    q.watermark(9);
    q.watermark(8);
    assertThat(q.elements()).as("one merged watermark after the record").hasSize(2);
    assertThat(q.elements().get(1)).isEqualTo(9L);
    q.complete(a);
    assertThat(log.out).containsExactly("w5", "r0", "w9");
  }

  @ParameterizedTest(name = "ordered {0}")
  @ValueSource(booleans = {true, false})
  void elementsForASnapshotAreThePendingRecordsAndWatermarksInInputOrder(boolean ordered) {
    Log log = new Log();
    AsyncResultQueue<Rec> q = AsyncResultQueue.create(ordered, log);
    Rec[] r = new Rec[5];
    for (int i = 0; i < 5; i++) {
      r[i] = new Rec(i);
      q.add(r[i]);
      if (i == 1 || i == 3) {
        q.watermark(i * 10L);
      }
    }
    q.complete(r[2]); // unordered: waits behind w10; ordered: waits behind r0
    List<String> names = q.elements().stream().map(e -> e instanceof Long w ? "w" + w : e.toString()).toList();
    assertThat(names).containsExactly("r0", "r1", "w10", "r2", "r3", "w30", "r4");
    q.complete(r[0]);
    names = q.elements().stream().map(e -> e instanceof Long w ? "w" + w : e.toString()).toList();
    assertThat(names).containsExactly("r1", "w10", "r2", "r3", "w30", "r4");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomCompletionOrdersKeepTheRules(long seed) {
    for (boolean ordered : new boolean[] {true, false}) {
      Random random = new Random(seed);
      Log log = new Log();
      AsyncResultQueue<Rec> q = AsyncResultQueue.create(ordered, log);
      List<String> input = new ArrayList<>(); // the oracle's view: what went in, in order
      List<Rec> pending = new ArrayList<>();
      int capacity = 1 + random.nextInt(8);
      int next = 0;
      long wm = 0;
      int maxSize = 0;
      while (next < 500 || !pending.isEmpty()) {
        int action = random.nextInt(3);
        if (next < 500 && action == 0 && q.size() < capacity) {
          Rec r = new Rec(next++);
          q.add(r);
          pending.add(r);
          input.add("r" + r.index);
        } else if (next < 500 && action == 1) {
          wm += 1 + random.nextInt(5);
          q.watermark(wm);
          input.add("w" + wm);
        } else if (!pending.isEmpty()) {
          q.complete(pending.remove(random.nextInt(pending.size())));
        }
        maxSize = Math.max(maxSize, q.size());
      }
      assertThat(q.isEmpty()).isTrue();
      assertThat(maxSize).isLessThanOrEqualTo(capacity);
      checkAgainstInput(ordered, input, log.out);
    }
  }

  /**
   * Every record leaves once; watermarks leave in input order (consecutive ones may merge into the
   * last); each record leaves after every watermark that preceded it in the input and before every
   * watermark that followed it; ordered mode keeps the input order of records.
   */
  private static void checkAgainstInput(boolean ordered, List<String> input, List<String> out) {
    List<String> inRecords = input.stream().filter(s -> s.startsWith("r")).toList();
    List<String> outRecords = out.stream().filter(s -> s.startsWith("r")).toList();
    assertThat(outRecords).containsExactlyInAnyOrderElementsOf(inRecords);
    if (ordered) {
      assertThat(outRecords).isEqualTo(inRecords);
    }
    // the watermark "epoch" of a record: how many records' worth of watermarks precede it
    long lastIn = Long.MIN_VALUE;
    java.util.Map<String, Long> wmBeforeIn = new java.util.HashMap<>();
    java.util.Map<String, Long> wmAfterIn = new java.util.HashMap<>();
    for (String s : input) {
      if (s.startsWith("w")) {
        lastIn = Long.parseLong(s.substring(1));
      } else {
        wmBeforeIn.put(s, lastIn);
      }
    }
    long nextIn = Long.MAX_VALUE;
    for (int i = input.size() - 1; i >= 0; i--) {
      String s = input.get(i);
      if (s.startsWith("w")) {
        nextIn = Long.parseLong(s.substring(1));
      } else {
        wmAfterIn.put(s, nextIn);
      }
    }
    long lastOut = Long.MIN_VALUE;
    for (String s : out) {
      if (s.startsWith("w")) {
        long w = Long.parseLong(s.substring(1));
        assertThat(w).as("watermarks leave in increasing order").isGreaterThan(lastOut);
        lastOut = w;
      } else {
        assertThat(lastOut).as("%s left after the watermark before it (in the input)", s)
            .isGreaterThanOrEqualTo(wmBeforeIn.get(s));
        assertThat(lastOut).as("%s left before the watermark after it (in the input)", s)
            .isLessThan(wmAfterIn.get(s));
      }
    }
    long lastWatermarkIn = input.stream().filter(s -> s.startsWith("w"))
        .mapToLong(s -> Long.parseLong(s.substring(1))).max().orElse(Long.MIN_VALUE);
    assertThat(lastOut).as("the last watermark left").isEqualTo(lastWatermarkIn);
  }
}
