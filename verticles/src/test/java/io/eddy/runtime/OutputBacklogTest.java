package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.record.Frame;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OutputChannel}s sharing one {@link OutputBacklog}, sending over a real event bus to
 * consumers that record every frame: a frame beyond the credit waits, and after every step (records
 * added, credit granted) {@code backlogged()} and {@code full()} are what a plain model of the
 * channels says: some channel holds a frame without credit; some holds
 * {@link OutputBacklog#MAX_FRAMES_PER_CHANNEL}.
 */
class OutputBacklogTest {
  private static final int CHANNELS = 3;
  private static final int RECORDS_PER_FRAME = 5;

  private final TaskLoop loop = new TaskLoop();
  private final TaskMetrics metrics = new TaskMetrics();
  private final OutputBacklog backlog = new OutputBacklog();
  private final OutputChannel[] channels = new OutputChannel[CHANNELS];
  /** Per channel, the records of each frame that arrived, in arrival order. */
  private final List<List<List<Object>>> received = new ArrayList<>();
  private final List<List<Long>> sequences = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    loop.close();
  }

  private void setUp(boolean serialized) throws Exception {
    SerdeRegistry serdes = SerdeRegistry.withBuiltIns();
    io.eddy.record.FrameDecoder decoder = new io.eddy.record.FrameDecoder(serdes, getClass().getClassLoader());
    loop.run(() -> {
      FrameCodec.registerOn(loop.vertx.eventBus());
      for (int ch = 0; ch < CHANNELS; ch++) {
        String address = "backlog-test." + ch;
        List<List<Object>> frames = Collections.synchronizedList(new ArrayList<>());
        List<Long> seq = Collections.synchronizedList(new ArrayList<>());
        received.add(frames);
        sequences.add(seq);
        loop.vertx.eventBus().<Object>consumer(address, m -> {
          Frame f;
          if (m.body() instanceof Frame local) {
            f = local;
          } else {
            byte[] bytes = ((Buffer) m.body()).getBytes();
            f = decoder.decode(bytes, 0, bytes.length);
          }
          List<Object> records = new ArrayList<>();
          for (int i = 0; i < f.size(); i++) {
            records.add(f.element(i));
          }
          frames.add(records);
          seq.add(f.sequence());
        });
        channels[ch] = new OutputChannel(loop.vertx.eventBus(), address, 0, 0, RECORDS_PER_FRAME, 1 << 16,
            serialized ? serdes : null, metrics, backlog);
      }
    });
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void backloggedAndFullFollowTheFramesWaitingForCredit(boolean serialized) throws Exception {
    setUp(serialized);
    Random random = new Random(serialized ? 2 : 1);
    int[] sealed = new int[CHANNELS];
    int[] granted = new int[CHANNELS];
    int[] added = new int[CHANNELS];
    List<List<Object>> sent = new ArrayList<>(); // per channel, every record added, in order
    for (int ch = 0; ch < CHANNELS; ch++) {
      sent.add(new ArrayList<>());
    }
    boolean sawFull = false;
    boolean sawBackloggedNotFull = false;
    for (int step = 0; step < 400; step++) {
      int ch = random.nextInt(CHANNELS);
      int c = ch;
      if (random.nextInt(3) > 0) {
        int n = 1 + random.nextInt(2 * RECORDS_PER_FRAME);
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          records.add("c" + ch + "-" + added[ch]++);
        }
        sent.get(ch).addAll(records);
        loop.run(() -> records.forEach(r -> channels[c].add(r, 0)));
        sealed[ch] = added[ch] / RECORDS_PER_FRAME;
      } else {
        int credit = 1 + random.nextInt(3);
        int acknowledged = Math.min(credit, Math.min(sealed[ch], granted[ch]) - ackedSoFar[ch]);
        ackedSoFar[ch] += acknowledged;
        granted[ch] += credit;
        loop.run(() -> channels[c].grant(credit, acknowledged));
      }
      // the model: frames sent are the first min(sealed, granted); the rest wait
      boolean backlogged = false;
      boolean full = false;
      for (int i = 0; i < CHANNELS; i++) {
        int waiting = Math.max(0, sealed[i] - granted[i]);
        backlogged |= waiting > 0;
        full |= waiting >= OutputBacklog.MAX_FRAMES_PER_CHANNEL;
        int j = i;
        int expectedSent = Math.min(sealed[i], granted[i]);
        assertThat(loop.call(() -> channels[j].hasPending())).isEqualTo(waiting > 0);
        loop.await("channel " + i + " received " + expectedSent + " frames", () -> received.get(j).size() == expectedSent);
      }
      boolean expectBacklogged = backlogged;
      boolean expectFull = full;
      assertThat(loop.call(backlog::backlogged)).as("backlogged after step " + step).isEqualTo(expectBacklogged);
      assertThat(loop.call(backlog::full)).as("full after step " + step).isEqualTo(expectFull);
      sawFull |= full;
      sawBackloggedNotFull |= backlogged && !full;
    }
    assertThat(sawFull).isTrue();
    assertThat(sawBackloggedNotFull).isTrue();
    // everything sealed arrives in order once credit allows
    for (int ch = 0; ch < CHANNELS; ch++) {
      int c = ch;
      int more = sealed[ch];
      loop.run(() -> channels[c].grant(more, 0));
      loop.await("channel " + ch + " received everything sealed", () -> received.get(c).size() == sealed[c]);
      List<Object> arrived = new ArrayList<>();
      received.get(ch).forEach(arrived::addAll);
      assertThat(arrived).isEqualTo(sent.get(ch).subList(0, sealed[ch] * RECORDS_PER_FRAME));
      List<Long> expectedSequences = new ArrayList<>();
      for (long s = 0; s < sealed[ch]; s++) {
        expectedSequences.add(s);
      }
      assertThat(sequences.get(ch)).isEqualTo(expectedSequences);
    }
    assertThat(loop.call(backlog::backlogged)).isFalse();
    assertThat(loop.call(backlog::full)).isFalse();
  }

  private final int[] ackedSoFar = new int[CHANNELS];

  @Test
  void theTransitionsHappenExactlyAtTheBoundAndWhenCreditIsGranted() throws Exception {
    setUp(false);
    OutputChannel c = channels[0];
    List<String> states = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    loop.run(() -> {
      for (int frame = 1; frame <= OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1; frame++) {
        for (int i = 0; i < RECORDS_PER_FRAME; i++) {
          c.add("r", 0);
        }
        states.add(backlog.backlogged() + "/" + backlog.full());
      }
      for (int grant = 0; grant < OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1; grant++) {
        c.grant(1, 0);
        states.add(backlog.backlogged() + "/" + backlog.full());
      }
    });
    // the model: frame n waits with n frames in the channel; each credit sends one
    for (int waiting = 1; waiting <= OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1; waiting++) {
      expected.add((waiting > 0) + "/" + (waiting >= OutputBacklog.MAX_FRAMES_PER_CHANNEL));
    }
    for (int waiting = OutputBacklog.MAX_FRAMES_PER_CHANNEL; waiting >= 0; waiting--) {
      expected.add((waiting > 0) + "/" + (waiting >= OutputBacklog.MAX_FRAMES_PER_CHANNEL));
    }
    assertThat(states).isEqualTo(expected);
    assertThat(metrics.get(TaskMetrics.MAX_FRAMES_BACKLOGGED)).isEqualTo(OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1);
    loop.await("five frames arrived", () -> received.get(0).size() == OutputBacklog.MAX_FRAMES_PER_CHANNEL + 1);
  }
}
