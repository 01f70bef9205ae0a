package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.BadRecord;
import io.eddy.api.BadRecordPolicy;
import io.eddy.connector.ConnectorException;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SourceDriver} with a reader over in-memory splits, on a real Vert.x event loop: the rest of
 * a batch held while the chain takes no input (bounded by the batch, handed on first and in order),
 * the end of input after what is held, the bad-record policies with the raw bytes, and split
 * positions through a snapshot into a restored reader.
 */
@org.junit.jupiter.api.Timeout(120) // a guard against a driver that never ends, not a wait
class SourceDriverTest {
  private static final String NAME = "numbers";

  private final TaskLoop loop = new TaskLoop();
  private final TaskMetrics metrics = new TaskMetrics();
  /** What reached the chain's head: records, and "split:<id>:<finished>" events. */
  private final List<Object> head = Collections.synchronizedList(new ArrayList<>());
  private final List<Object> deadLetters = Collections.synchronizedList(new ArrayList<>());
  private final StubTask task = new StubTask();

  @AfterEach
  void close() throws Exception {
    loop.close();
  }

  final class StubTask implements SourceDriver.Task {
    boolean stopped;
    int stopEvery; // > 0: the chain stops taking input after every stopEvery-th record
    int dataAvailable;
    int heldReleased;
    String releasedEarly; // set when heldReleased came while something was still held
    java.util.function.LongSupplier undelivered = () -> 0;

    @Override
    public void heldReleased() {
      heldReleased++;
      if (undelivered.getAsLong() != 0 && releasedEarly == null) {
        releasedEarly = undelivered.getAsLong() + " records were still held";
      }
    }

    @Override
    public boolean inputStopped() {
      return stopped;
    }

    @Override
    public boolean backPressured() {
      return false;
    }

    @Override
    public void dataAvailable() {
      dataAvailable++;
    }
  }

  private long headRecords() {
    synchronized (head) {
      return head.stream().filter(e -> !(e instanceof String s && s.startsWith("split:"))).count();
    }
  }

  /** A split of in-memory lines; a line "bad:<n>" does not parse (its raw bytes are not UTF-8). */
  record LineSplit(String id, List<String> lines) implements SourceSplit {}

  static byte[] rawOf(String line) {
    return new byte[] {(byte) 0xff, (byte) 0xfe, (byte) line.hashCode(), 0x0a};
  }

  /** Reads its splits one after the other, filling each poll up to its maximum across splits. */
  static final class LineSource implements Source<String> {
    final List<LineSplit> splits;
    final List<LineReader> readers = new ArrayList<>();
    int available = Integer.MAX_VALUE; // lines readable before the reader reports NOTHING_AVAILABLE

    LineSource(List<LineSplit> splits) {
      this.splits = splits;
    }

    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      return splits;
    }

    @Override
    public SourceReader<String> createReader(SourceReaderContext context) {
      LineReader r = new LineReader(this, context);
      readers.add(r);
      return r;
    }
  }

  static final class LineReader implements SourceReader<String> {
    final LineSource source;
    final SourceReaderContext context;
    final List<LineSplit> splits = new ArrayList<>();
    final Map<String, Integer> positions = new HashMap<>();
    final List<Object> emitted = new ArrayList<>(); // as the head should see it
    final java.util.Set<String> announced = new java.util.HashSet<>();
    int current;
    int read; // lines read, good or bad
    Map<String, String> restoredWith;
    java.util.function.LongSupplier delivered; // what the head has: everything emitted, whenever polled
    String pollWhileHolding;

    LineReader(LineSource source, SourceReaderContext context) {
      this.source = source;
      this.context = context;
    }

    @Override
    public void addSplits(List<SourceSplit> added) {
      addSplits(added, Map.of());
    }

    @Override
    public void addSplits(List<SourceSplit> added, Map<String, String> restored) {
      restoredWith = restored;
      for (SourceSplit s : added) {
        splits.add((LineSplit) s);
        String p = restored.get(s.id());
        positions.put(s.id(), p == null ? 0 : p.equals("done") ? -1 : parsePosition(p));
      }
    }

    /** Positions are "line\t<n>\t✓": a tab and a non-ASCII character, to survive the round trip. */
    static String position(int n) {
      return "line\t" + n + "\t✓";
    }

    static int parsePosition(String p) {
      String[] parts = p.split("\t");
      if (parts.length != 3 || !parts[0].equals("line") || !parts[2].equals("✓")) {
        throw new IllegalArgumentException("not a position of this reader: " + p);
      }
      return Integer.parseInt(parts[1]);
    }

    @Override
    public InputStatus pollNext(SourceOutput<String> output, int maxRecords) {
      long countEmitted = emitted.stream().filter(e -> !(e instanceof String s && s.startsWith("split:"))).count();
      if (delivered != null && delivered.getAsLong() != countEmitted && pollWhileHolding == null) {
        pollWhileHolding = "polled with " + (countEmitted - delivered.getAsLong()) + " records not handed on";
      }
      int n = 0;
      while (n < maxRecords) {
        if (current == splits.size()) {
          return InputStatus.END_OF_INPUT;
        }
        LineSplit s = splits.get(current);
        int pos = positions.get(s.id());
        if (pos < 0) {
          current++;
          continue;
        }
        if (announced.add(s.id())) {
          output.split(s.id());
          emitted.add("split:" + s.id() + ":false");
        }
        if (pos == s.lines().size()) {
          output.splitFinished(s.id());
          emitted.add("split:" + s.id() + ":true");
          positions.put(s.id(), -1);
          current++;
          continue;
        }
        if (read >= source.available) {
          return InputStatus.NOTHING_AVAILABLE;
        }
        String line = s.lines().get(pos);
        positions.put(s.id(), pos + 1);
        read++;
        n++;
        if (line.startsWith("bad:")) {
          context.badRecord(s.id() + " line " + (pos + 1), rawOf(line), "does not parse");
        } else {
          output.collect(line, pos);
          emitted.add(line);
        }
      }
      return current == splits.size() || allDone() ? InputStatus.END_OF_INPUT : InputStatus.MORE_AVAILABLE;
    }

    private boolean allDone() {
      for (int i = current; i < splits.size(); i++) {
        LineSplit s = splits.get(i);
        int pos = positions.get(s.id());
        if (pos >= 0) {
          return false; // its splitFinished is still to come
        }
      }
      return true;
    }

    @Override
    public Map<String, String> snapshotPositions() {
      Map<String, String> out = new HashMap<>();
      positions.forEach((id, pos) -> out.put(id, pos < 0 ? "done" : position(pos)));
      return out;
    }
  }

  private static List<LineSplit> splits(int... sizes) {
    List<LineSplit> out = new ArrayList<>();
    for (int s = 0; s < sizes.length; s++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < sizes[s]; i++) {
        lines.add("s" + s + "-" + i);
      }
      out.add(new LineSplit("split-" + s, lines));
    }
    return out;
  }

  /** What the head should see reading {@code splits} whole: a plain loop over their lines. */
  private static List<Object> oracle(List<LineSplit> splits) {
    List<Object> out = new ArrayList<>();
    for (LineSplit s : splits) {
      out.add("split:" + s.id() + ":false");
      for (String line : s.lines()) {
        if (!line.startsWith("bad:")) {
          out.add(line);
        }
      }
      out.add("split:" + s.id() + ":true");
    }
    return out;
  }

  private SourceDriver driver(LineSource source, BadRecordPolicy policy, Map<String, String> restored)
      throws Exception {
    Output<Object> recorder = new Output<>() {
      @Override
      public void collect(Object record, long timestamp) {
        head.add(record);
        if (task.stopEvery > 0 && headRecords() % task.stopEvery == 0) {
          task.stopped = true;
        }
      }

      @Override
      public void watermark(long watermark) {}

      @Override
      public void split(String splitId, boolean finished) {
        head.add("split:" + splitId + ":" + finished);
      }

      @Override
      public void endOfInput() {}
    };
    Output<Object> dead = new Output<>() {
      @Override
      public void collect(Object record, long timestamp) {
        deadLetters.add(record);
      }

      @Override
      public void watermark(long watermark) {}

      @Override
      public void endOfInput() {}
    };
    SourceDriver d = new SourceDriver(new TaskId("sources", 0, 0), NAME, source, recorder, dead, policy, metrics, task);
    loop.join(() -> d.open(loop.vertx, loop.context, 1, restored, !restored.isEmpty()));
    return d;
  }

  @Test
  void theRestOfABatchIsHeldWhileTheChainStopsAndHandedOnFirstInOrder() throws Exception {
    List<LineSplit> splits = splits(1500, 1100, 7);
    LineSource source = new LineSource(splits);
    SourceDriver d = driver(source, BadRecordPolicy.FAIL, Map.of());
    LineReader reader = source.readers.get(0);
    reader.delivered = this::headRecords;
    task.undelivered = () -> reader.emitted.stream().filter(e -> !((String) e).startsWith("split:")).count() - headRecords();
    task.stopEvery = 300; // stops inside every batch of 1,024
    int[] ended = new int[1];
    long[] endedAt = new long[1];
    long total = oracle(splits).stream().filter(e -> !((String) e).startsWith("split:")).count();
    int stops = 0;
    boolean endSeenWhileHolding = false;
    while (ended[0] == 0) {
      boolean more = loop.call(() -> d.poll(() -> {
        ended[0]++;
        endedAt[0] = headRecords();
      }));
      long emitted = loop.call(() -> reader.emitted.stream().filter(e -> !((String) e).startsWith("split:")).count());
      long delivered = loop.call(this::headRecords);
      assertThat(emitted - delivered).as("held records").isBetween(0L, (long) SourceDriver.BATCH);
      if (emitted == total && delivered < total) {
        endSeenWhileHolding = true; // the reader has ended; what it emitted last is still held
        assertThat(ended[0]).as("the end waits for what is held").isZero();
      }
      if (task.stopped) {
        stops++;
        loop.run(() -> task.stopped = false);
      } else if (!more && ended[0] == 0) {
        throw new AssertionError("the driver asks for no turn, though nothing stops it and it has not ended");
      }
    }
    assertThat(reader.pollWhileHolding).as("the reader is polled only once nothing is held").isNull();
    assertThat(task.releasedEarly).as("the task hears that the held records were handed on only once they all were").isNull();
    int batchesHeld = 0; // batches inside which input stopped: their rest was held, then all handed on
    for (long start = 0; start < total; start += SourceDriver.BATCH) {
      long end = Math.min(total, start + SourceDriver.BATCH);
      for (long m = 300; m < end; m += 300) {
        if (m > start) {
          batchesHeld++;
          break;
        }
      }
    }
    assertThat(task.heldReleased).as("once per batch that was held").isEqualTo(batchesHeld);
    assertThat(stops).isEqualTo((int) (total / 300));
    assertThat(endSeenWhileHolding).as("the last batch stopped inside").isTrue();
    assertThat(ended[0]).isEqualTo(1);
    assertThat(endedAt[0]).as("the end follows every held record").isEqualTo(total);
    assertThat(new ArrayList<>(head)).isEqualTo(oracle(splits));
    assertThat(metrics.get(TaskMetrics.RECORDS_IN)).isEqualTo(total);
  }

  private static List<LineSplit> withBadLines(int size, int every) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      lines.add(i % every == every - 1 ? "bad:" + i : "good-" + i);
    }
    return List.of(new LineSplit("file-a", lines));
  }

  @ParameterizedTest
  @EnumSource(BadRecordPolicy.class)
  void malformedRecordsFollowTheBadRecordPolicyWithTheirRawBytes(BadRecordPolicy policy) throws Exception {
    List<LineSplit> splits = withBadLines(200, 9);
    LineSource source = new LineSource(splits);
    SourceDriver d = driver(source, policy, Map.of());
    List<BadRecord> expectedDead = new ArrayList<>();
    String firstBadWhere = null;
    List<String> lines = splits.get(0).lines();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("bad:")) {
        String where = "file-a line " + (i + 1);
        firstBadWhere = firstBadWhere == null ? where : firstBadWhere;
        byte[] raw = rawOf(lines.get(i));
        expectedDead.add(new BadRecord(NAME, new String(raw, StandardCharsets.UTF_8), where + ": does not parse", raw));
      }
    }
    int[] ended = new int[1];
    if (policy == BadRecordPolicy.FAIL) {
      String where = firstBadWhere;
      assertThatThrownBy(() -> loop.call(() -> d.poll(() -> ended[0]++)))
          .isInstanceOf(ConnectorException.class)
          .hasMessage(where + ": does not parse");
      List<Object> before = new ArrayList<>();
      before.add("split:file-a:false");
      before.addAll(lines.subList(0, lines.indexOf(lines.stream().filter(l -> l.startsWith("bad:")).findFirst().get())));
      assertThat(new ArrayList<>(head)).as("what was read before the bad line was handed on").isEqualTo(before);
      assertThat(deadLetters).isEmpty();
      return;
    }
    while (ended[0] == 0) {
      assertThat(loop.call(() -> d.poll(() -> ended[0]++)) || ended[0] == 1).isTrue();
    }
    assertThat(new ArrayList<>(head)).isEqualTo(oracle(splits));
    assertThat(metrics.get(NAME + ".badRecords")).isEqualTo(expectedDead.size());
    if (policy == BadRecordPolicy.DEAD_LETTER) {
      assertThat(new ArrayList<>(deadLetters)).isEqualTo(new ArrayList<Object>(expectedDead));
    } else {
      assertThat(deadLetters).isEmpty();
    }
  }

  @Test
  void splitPositionsSurviveASnapshotIntoARestoredReader() throws Exception {
    List<LineSplit> splits = splits(700, 900, 300);
    LineSource source = new LineSource(splits);
    source.available = 1000; // the reader pauses inside the second split
    SourceDriver d = driver(source, BadRecordPolicy.FAIL, Map.of());
    int[] ended = new int[1];
    while (loop.call(() -> d.poll(() -> ended[0]++))) {
      // polls until the reader has nothing available
    }
    assertThat(headRecords()).isEqualTo(1000);
    LineReader reader = source.readers.get(0);
    Map<String, String> atSnapshot = loop.call(reader::snapshotPositions);
    OperatorSnapshot snapshot = loop.call(() -> d.snapshotPositions(7));
    Map<String, List<byte[]>> entries = new HashMap<>();
    snapshot.operatorStates().forEach((name, e) -> {
      assertThat(e.union()).as("positions are union state: any subtask may get any split").isTrue();
      entries.put(name, e.entries());
    });
    Map<String, String> restored = SourceDriver.restorePositions(entries);
    assertThat(restored).isEqualTo(atSnapshot).containsEntry("split-0", "done")
        .containsEntry("split-1", LineReader.position(300));

    // a new subtask restores them: its reader resumes each split where the snapshot says
    List<Object> beforeSnapshot = new ArrayList<>(head);
    head.clear();
    LineSource again = new LineSource(splits);
    SourceDriver d2 = driver(again, BadRecordPolicy.FAIL, restored);
    assertThat(again.readers.get(0).restoredWith).isEqualTo(atSnapshot);
    int[] ended2 = new int[1];
    while (ended2[0] == 0) {
      loop.call(() -> d2.poll(() -> ended2[0]++));
    }
    List<Object> all = new ArrayList<>(beforeSnapshot);
    all.addAll(head);
    List<Object> records = all.stream().filter(e -> !((String) e).startsWith("split:")).toList();
    List<Object> expected = oracle(splits).stream().filter(e -> !((String) e).startsWith("split:")).toList();
    assertThat(records).as("each line once over both runs").isEqualTo(expected);
    assertThat(ended).containsExactly(0);
  }

  @Test
  void aReaderThatHadNothingAvailableIsPolledAgainWhenItWakesTheTask() throws Exception {
    LineSource source = new LineSource(splits(50));
    source.available = 20;
    SourceDriver d = driver(source, BadRecordPolicy.FAIL, Map.of());
    assertThat(loop.call(() -> d.poll(() -> {}))).isFalse();
    assertThat(task.dataAvailable).isZero();
    loop.run(() -> source.available = 50);
    LineReader reader = source.readers.get(0);
    reader.context.wakeUp(); // from the test's thread, as a reader's worker would
    loop.await("the task is told that data is available", () -> task.dataAvailable == 1);
    int[] ended = new int[1];
    for (int turn = 0; ended[0] == 0; turn++) {
      assertThat(turn).as("turns until the end; head " + head.size() + ", read " + reader.read).isLessThan(10);
      loop.call(() -> d.poll(() -> ended[0]++));
    }
    assertThat(new ArrayList<>(head)).isEqualTo(oracle(source.splits));
    reader.context.wakeUp(); // not waiting for data: no further turn is asked for
    loop.await("the wake-up was handled", () -> true);
    assertThat(loop.call(() -> task.dataAvailable)).isEqualTo(1);
  }
}
