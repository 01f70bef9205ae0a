package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobEdge;
import io.eddy.graph.JobGraph;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Partitioning;
import io.eddy.graph.Specs;
import io.eddy.graph.StreamEdge;
import io.eddy.graph.Transform;
import io.eddy.record.CheckpointBarrier;
import io.eddy.record.EndOfInput;
import io.eddy.record.Frame;
import io.eddy.record.FrameDecoder;
import io.eddy.record.Watermark;
import io.eddy.record.WatermarkStatus;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InputProcessor} over a real {@link InputGate} on a real Vert.x event loop, with the edges of
 * a planned graph as the runtime builds them: two sources (parallelism 2 and 1) into a union, so the
 * union's subtask has three channels (edge 0 from subtasks 0 and 1, edge 1 from subtask 0). The
 * head records what reaches it; the task is a stub whose input the test stops and resumes.
 */
class InputProcessorTest {
  private static final int CHANNELS = 3;
  private static final int CREDITS = 4;

  private final TaskLoop loop = new TaskLoop();
  private final ExecutionPlan plan = plan();
  private final JobVertex union = plan.vertex(2);
  private final TaskId id = new TaskId("inputs", union.id(), 0);
  private final TaskMetrics metrics = new TaskMetrics();
  /** What reached the head, in order: records as themselves, "w<ts>", "idle"/"active", "aligned<n>". */
  private final List<Object> head = Collections.synchronizedList(new ArrayList<>());
  private final long[] nextSequence = new long[CHANNELS];
  /** Acknowledged frames per channel, from the credit messages the gate sends to the senders. */
  private final int[] acknowledged = new int[CHANNELS];
  private final StubTask task = new StubTask();
  private InputGate gate;
  private InputProcessor input;

  /** The input side of a task: the test decides when input stops. */
  final class StubTask implements InputProcessor.Task {
    boolean stopped;
    int stopEvery; // > 0: input stops after every stopEvery-th record reaches the head
    int aligned;
    int ended;

    @Override
    public boolean inputStopped() {
      return stopped;
    }

    @Override
    public boolean backPressured() {
      return false;
    }

    @Override
    public void barrierAligned(long checkpointId, long timestamp) {
      aligned++;
      head.add("aligned" + checkpointId);
    }

    @Override
    public void inputEnded() {
      ended++;
    }
  }

  @AfterEach
  void close() throws Exception {
    loop.close();
  }

  private static ExecutionPlan plan() {
    JobGraph g = new JobGraph();
    Transform a = g.add(new Specs.SourceSpec(NO_SOURCE), "a", List.of());
    a.parallelism(2);
    Transform b = g.add(new Specs.SourceSpec(NO_SOURCE), "b", List.of());
    b.parallelism(1);
    Transform u = g.add(new Specs.UnionSpec(), "union",
        List.of(new StreamEdge(a, Partitioning.REBALANCE, null), new StreamEdge(b, Partitioning.REBALANCE, null)));
    u.parallelism(1);
    return ExecutionPlan.of(g, 1, 128);
  }

  /** The channel index of each (edge, sender) in the gate: edges in input order, senders within. */
  private int[][] channelOf() {
    int[][] of = new int[plan.edges().size()][];
    int n = 0;
    for (JobEdge e : union.inputs()) {
      of[e.id()] = new int[e.channelsPerReceiver()];
      for (int s = 0; s < e.channelsPerReceiver(); s++) {
        of[e.id()][s] = n++;
      }
    }
    return of;
  }

  private void setUp(boolean alignBarriers) throws Exception {
    int[][] of = channelOf();
    assertThat(of[0].length + of[1].length).isEqualTo(CHANNELS);
    loop.run(() -> {
      for (JobEdge e : union.inputs()) {
        for (int s = 0; s < e.channelsPerReceiver(); s++) {
          int ch = of[e.id()][s];
          TaskId sender = id.sibling(e.source().id(), s);
          loop.vertx.eventBus().<Buffer>consumer(sender.creditAddress(), m -> {
            assertThat(m.body().getInt(0)).isEqualTo(e.id());
            acknowledged[ch] += m.body().getInt(12);
          });
        }
      }
      gate = new InputGate(loop.vertx.eventBus(), id, union.inputs(), plan.edges().size(), CREDITS, metrics);
      Output<Object> recorder = new Output<>() {
        @Override
        public void collect(Object record, long timestamp) {
          head.add(record);
          if (task.stopEvery > 0 && records() % task.stopEvery == 0) {
            task.stopped = true;
          }
        }

        @Override
        public void watermark(long watermark) {
          head.add("w" + watermark);
        }

        @Override
        public void idleness(boolean idle) {
          head.add(idle ? "idle" : "active");
        }

        @Override
        public void endOfInput() {
          head.add("end");
        }
      };
      input = new InputProcessor(gate, new FrameDecoder(SerdeRegistry.withBuiltIns(), getClass().getClassLoader()),
          recorder, alignBarriers, metrics, task);
      input.start();
    });
  }

  private long records() {
    return head.stream().filter(e -> e instanceof Rec).count();
  }

  /** A record that names its channel and position. */
  record Rec(int channel, int n) {}

  /** A frame for {@code ch} in the channel's sequence; plain records get timestamp = their number. */
  private Frame frame(int ch, Object... elements) {
    int[][] of = channelOf();
    int edge = ch < of[0].length ? 0 : 1;
    int sender = edge == 0 ? ch : ch - of[0].length;
    Frame f = new Frame(edge, sender, nextSequence[ch]++, elements.length);
    for (Object e : elements) {
      f.add(e, e instanceof Rec r ? r.n() : Frame.NO_TIMESTAMP);
    }
    return f;
  }

  /** Processes turns until the processor asks for none (input stopped or nothing queued). */
  private void pump() throws Exception {
    loop.run(() -> {
      while (input.processFrames()) {
        // the task would schedule the next turn at once
      }
    });
  }

  private List<Rec> recordsOf(int ch) {
    List<Rec> out = new ArrayList<>();
    synchronized (head) {
      for (Object e : head) {
        if (e instanceof Rec r && r.channel() == ch) {
          out.add(r);
        }
      }
    }
    return out;
  }

  @Test
  void recordsOfSeveralChannelsReachTheHeadInPerChannelOrder() throws Exception {
    setUp(true);
    Random random = new Random(11);
    List<List<Rec>> sent = new ArrayList<>();
    int[] framesLeft = new int[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) {
      sent.add(new ArrayList<>());
      framesLeft[ch] = 3 + random.nextInt(5);
    }
    int[] n = new int[CHANNELS];
    int[] queued = new int[CHANNELS];
    while (framesLeft[0] + framesLeft[1] + framesLeft[2] > 0) {
      int ch = random.nextInt(CHANNELS);
      if (framesLeft[ch] == 0 || queued[ch] == CREDITS) {
        pump();
        java.util.Arrays.fill(queued, 0);
        continue;
      }
      Object[] records = new Object[1 + random.nextInt(20)];
      for (int i = 0; i < records.length; i++) {
        Rec r = new Rec(ch, n[ch]++);
        records[i] = r;
        sent.get(ch).add(r);
      }
      Frame f = frame(ch, records);
      loop.run(() -> input.receive(f));
      queued[ch]++;
      framesLeft[ch]--;
    }
    pump();
    for (int ch = 0; ch < CHANNELS; ch++) {
      assertThat(recordsOf(ch)).as("channel " + ch).isEqualTo(sent.get(ch));
    }
    assertThat(records()).isEqualTo(sent.stream().mapToInt(List::size).sum());
    assertThat(metrics.get(TaskMetrics.RECORDS_IN)).isEqualTo(records());
  }

  @Test
  void aSerializedFrameIsDecodedAndProcessedLikeAnObject() throws Exception {
    setUp(true);
    io.eddy.record.FrameEncoder encoder = new io.eddy.record.FrameEncoder(SerdeRegistry.withBuiltIns(), 1 << 16);
    encoder.begin(1, 0, nextSequence[2]++);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      encoder.add("s" + i, i);
      sent.add("s" + i);
    }
    Buffer bytes = Buffer.buffer(encoder.finish());
    loop.run(() -> input.receive(bytes));
    pump();
    assertThat(head).isEqualTo(new ArrayList<>(sent));
  }

  /** The valve's rule, computed directly: minimum over active channels, an ended one at +inf. */
  private static long oracleWatermark(long[] marks, boolean[] idle, boolean[] ended, long current) {
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int ch = 0; ch < marks.length; ch++) {
      if (ended[ch]) {
        any = true;
      } else if (!idle[ch]) {
        any = true;
        min = Math.min(min, marks[ch]);
      }
    }
    return any && min > current ? min : current;
  }

  @Test
  void theHeadsWatermarkIsTheMinimumOverActiveChannelsWithEndedOnesAtInfinity() throws Exception {
    setUp(true);
    Random random = new Random(5);
    long[] marks = new long[CHANNELS];
    java.util.Arrays.fill(marks, Long.MIN_VALUE);
    boolean[] idle = new boolean[CHANNELS];
    boolean[] ended = new boolean[CHANNELS];
    long expected = Long.MIN_VALUE;
    List<Object> expectedAtHead = new ArrayList<>();
    for (int step = 0; step < 60; step++) {
      int ch = random.nextInt(CHANNELS);
      Frame f;
      if (step == 30) {
        ch = 1; // channel 1 goes idle: it no longer holds the watermark back
        idle[ch] = true;
        f = frame(ch, WatermarkStatus.IDLE);
      } else if (step == 45) {
        ch = 2; // channel 2 ends: it counts at +infinity
        ended[ch] = true;
        f = frame(ch, EndOfInput.INSTANCE);
      } else if (idle[ch] || ended[ch]) {
        continue;
      } else {
        long w = (marks[ch] == Long.MIN_VALUE ? 0 : marks[ch]) + random.nextInt(50);
        marks[ch] = Math.max(marks[ch], w);
        f = frame(ch, new Watermark(w));
      }
      loop.run(() -> input.receive(f));
      pump();
      long next = oracleWatermark(marks, idle, ended, expected);
      if (next != expected) {
        expected = next;
        expectedAtHead.add("w" + expected);
      }
      assertThat(head).as("after step " + step).isEqualTo(expectedAtHead);
    }
    assertThat(expectedAtHead.size()).as("the watermark advanced several times").isGreaterThan(5);
    assertThat(task.ended).isZero();
  }

  @Test
  void anExactlyOnceBarrierHoldsAChannelsLaterRecordsUntilEveryChannelDeliveredIt() throws Exception {
    setUp(true);
    Set<Rec> beforeBarrier = new HashSet<>();
    List<List<Rec>> sent = new ArrayList<>();
    // channel 0 and 1 deliver the barrier early, channel 2 only in its second frame
    int[][] shape = {{3, 4}, {1, 6}, {5, 2}}; // records before and after the barrier, per channel
    for (int ch = 0; ch < CHANNELS; ch++) {
      sent.add(new ArrayList<>());
      List<Object> elements = new ArrayList<>();
      for (int i = 0; i < shape[ch][0] + shape[ch][1]; i++) {
        if (i == shape[ch][0]) {
          elements.add(new CheckpointBarrier(1, 100));
        }
        Rec r = new Rec(ch, i);
        sent.get(ch).add(r);
        elements.add(r);
        if (i < shape[ch][0]) {
          beforeBarrier.add(r);
        }
      }
      if (ch == 2) {
        // channel 2: a frame of records first, then the one with its barrier, received later
        List<Object> first = elements.subList(0, 3);
        Frame f1 = frame(ch, first.toArray());
        loop.run(() -> input.receive(f1));
        Frame f2 = frame(ch, elements.subList(3, elements.size()).toArray());
        loop.run(() -> input.receive(f2));
      } else {
        Frame f = frame(ch, elements.toArray());
        loop.run(() -> input.receive(f));
      }
    }
    pump();
    assertThat(task.aligned).isEqualTo(1);
    int at = head.indexOf("aligned1");
    assertThat(new HashSet<>(head.subList(0, at))).as("what reached the head before the barrier")
        .isEqualTo(beforeBarrier);
    for (int ch = 0; ch < CHANNELS; ch++) {
      assertThat(recordsOf(ch)).as("channel " + ch).isEqualTo(sent.get(ch));
    }
  }

  @Test
  void atLeastOnceHoldsNothingAtABarrier() throws Exception {
    setUp(false);
    List<Rec> afterBarrierOn0 = new ArrayList<>();
    List<Object> e0 = new ArrayList<>();
    e0.add(new Rec(0, 0));
    e0.add(new CheckpointBarrier(3, 100));
    for (int i = 1; i < 5; i++) {
      e0.add(new Rec(0, i));
      afterBarrierOn0.add(new Rec(0, i));
    }
    Frame f0 = frame(0, e0.toArray());
    Frame f1 = frame(1, new Rec(1, 0), new CheckpointBarrier(3, 100), new Rec(1, 1));
    loop.run(() -> input.receive(f0));
    loop.run(() -> input.receive(f1));
    pump();
    assertThat(task.aligned).as("channel 2 has not delivered the barrier yet").isZero();
    assertThat(recordsOf(0)).as("channel 0 is not held after its barrier")
        .containsAll(afterBarrierOn0).hasSize(5);
    assertThat(recordsOf(1)).hasSize(2);
    Frame f2 = frame(2, new Rec(2, 0), new CheckpointBarrier(3, 100), new Rec(2, 1));
    loop.run(() -> input.receive(f2));
    pump();
    assertThat(task.aligned).isEqualTo(1);
    assertThat(head.indexOf("aligned3")).as("after channel 2's first record").isEqualTo(head.indexOf(new Rec(2, 0)) + 1);
  }

  @Test
  void inputStoppingInsideAFrameResumesAtTheSamePosition() throws Exception {
    setUp(true);
    task.stopEvery = 7; // frames have 10 to 30 records: input stops inside most of them
    Random random = new Random(3);
    List<List<Rec>> sent = new ArrayList<>();
    List<List<Integer>> frameEnds = new ArrayList<>(); // per channel: record count at the end of each frame
    int[] sentFrames = new int[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) {
      sent.add(new ArrayList<>());
      frameEnds.add(new ArrayList<>());
    }
    int framesPerChannel = 12;
    int stops = 0;
    while (true) {
      // each sender sends what its credit allows: frames the gate acknowledged plus its initial credit
      boolean any = false;
      for (int ch = 0; ch < CHANNELS; ch++) {
        while (sentFrames[ch] < framesPerChannel && sentFrames[ch] < fullyProcessed(ch, frameEnds) + CREDITS) {
          Object[] records = new Object[10 + random.nextInt(21)];
          for (int i = 0; i < records.length; i++) {
            Rec r = new Rec(ch, sent.get(ch).size());
            sent.get(ch).add(r);
            records[i] = r;
          }
          frameEnds.get(ch).add(sent.get(ch).size());
          Frame f = frame(ch, records);
          loop.run(() -> input.receive(f));
          sentFrames[ch]++;
          any = true;
        }
      }
      pump();
      for (int ch = 0; ch < CHANNELS; ch++) {
        // credit goes back (in batches of CREDITS / 2) only for frames processed to their end
        int c = ch;
        int done = fullyProcessed(ch, frameEnds);
        int expected = done - done % (CREDITS / 2);
        loop.await("channel " + ch + " acknowledged " + expected + " frames", () -> acknowledged[c] == expected);
      }
      if (task.stopped) {
        stops++;
        loop.run(() -> task.stopped = false);
        continue;
      }
      if (!any && !loop.call(gate::hasQueuedFrames)) {
        break;
      }
    }
    for (int ch = 0; ch < CHANNELS; ch++) {
      assertThat(recordsOf(ch)).as("channel " + ch + ": nothing lost, nothing twice").isEqualTo(sent.get(ch));
    }
    assertThat(stops).as("input stopped after every 7th record").isEqualTo((int) (records() / 7));
    assertThat(fullyProcessed(0, frameEnds)).isEqualTo(framesPerChannel);
  }

  /** How many of a channel's frames reached the head completely. */
  private int fullyProcessed(int ch, List<List<Integer>> frameEnds) {
    int delivered = recordsOf(ch).size();
    int n = 0;
    for (int end : frameEnds.get(ch)) {
      if (end <= delivered) {
        n++;
      }
    }
    return n;
  }

  @Test
  void theEndOfTheLastChannelEndsTheInputOnce() throws Exception {
    setUp(true);
    List<Rec> all = new ArrayList<>();
    int[] order = {2, 0, 1};
    for (int k = 0; k < order.length; k++) {
      int ch = order[k];
      List<Object> elements = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Rec r = new Rec(ch, i);
        elements.add(r);
        all.add(r);
      }
      elements.add(new Watermark(10 * (k + 1)));
      elements.add(EndOfInput.INSTANCE);
      Frame f = frame(ch, elements.toArray());
      loop.run(() -> input.receive(f));
      pump();
      assertThat(task.ended).as("after channel " + ch + " ended").isEqualTo(k == order.length - 1 ? 1 : 0);
    }
    pump();
    assertThat(task.ended).isEqualTo(1);
    assertThat(head.stream().filter(e -> e instanceof Rec).toList()).containsExactlyInAnyOrderElementsOf(all);
    // channels ended in the order 2, 0, 1: the watermark is then channel 1's (the only live one)
    assertThat(head).contains("w30");
  }

  private static final Source<Object> NO_SOURCE = new Source<>() {
    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("only planned, never read");
    }

    @Override
    public SourceReader<Object> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("only planned, never read");
    }
  };
}
