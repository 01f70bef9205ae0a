package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.graph.JobEdge;
import io.eddy.graph.Partitioning;
import io.eddy.record.Frame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The receiving end of all input channels of one subtask. Queues arriving frames per channel,
 * checks their sequence numbers, hands them out round robin, and returns credit to each sender as
 * frames are processed. It also tracks each channel's watermark, idleness and end of input, so
 * the task knows its watermark and when all input has ended. Confined to the task's event-loop
 * thread.
 *
 * <p>The watermark follows Flink's rules (its {@code StatusWatermarkValve}): it is the minimum over
 * the active, aligned channels, where an ended channel counts as active at +infinity, an idle
 * channel does not count, and a channel that becomes active again counts only once its watermark
 * has caught up with the task's (it is aligned again). When every channel is idle, the watermark
 * advances to the highest of the channels' watermarks. It never goes back.
 */
final class InputGate {
  private final EventBus bus;
  private final TaskId task;
  private final int subtask;
  private final int credits;
  private final int creditBatch;
  private final int[] edgeBase; // by edge id: first channel index, or -1
  private final JobEdge[] edgeOf; // by channel
  private final int[] senderOf; // by channel
  private final ArrayDeque<Frame>[] queues;
  private final long[] expectedSequence;
  private final long[] watermarks;
  private final boolean[] ended;
  private final boolean[] idle;
  private final boolean[] aligned;
  private final boolean[] blocked;
  private final int[] unacknowledged;
  private final Counter maxQueued;
  private int endedCount;
  private int queuedFrames;
  private int nextChannel;
  private long currentWatermark = Long.MIN_VALUE;

  @SuppressWarnings("unchecked")
  InputGate(EventBus bus, TaskId task, List<JobEdge> inputs, int edgeCount, int credits, TaskMetrics metrics) {
    this.bus = bus;
    this.task = task;
    int subtask = task.subtask();
    this.subtask = subtask;
    this.credits = credits;
    this.creditBatch = Math.max(1, credits / 2);
    this.edgeBase = new int[edgeCount];
    java.util.Arrays.fill(edgeBase, -1);
    int n = 0;
    for (JobEdge e : inputs) {
      edgeBase[e.id()] = n;
      n += e.channelsPerReceiver();
    }
    edgeOf = new JobEdge[n];
    senderOf = new int[n];
    for (JobEdge e : inputs) {
      for (int i = 0; i < e.channelsPerReceiver(); i++) {
        int ch = edgeBase[e.id()] + i;
        edgeOf[ch] = e;
        senderOf[ch] = e.partitioning() == Partitioning.FORWARD ? subtask : i;
      }
    }
    queues = new ArrayDeque[n];
    for (int i = 0; i < n; i++) {
      queues[i] = new ArrayDeque<>();
    }
    expectedSequence = new long[n];
    watermarks = new long[n];
    java.util.Arrays.fill(watermarks, Long.MIN_VALUE);
    ended = new boolean[n];
    idle = new boolean[n];
    aligned = new boolean[n];
    java.util.Arrays.fill(aligned, true);
    blocked = new boolean[n];
    unacknowledged = new int[n];
    maxQueued = metrics.counter(TaskMetrics.MAX_FRAMES_QUEUED);
  }

  int channelCount() {
    return queues.length;
  }

  /** Grants every sender its initial credit. Called once, when the task starts running. */
  void grantInitialCredits() {
    for (int ch = 0; ch < queues.length; ch++) {
      sendCredit(ch, credits, 0);
    }
  }

  /** Queues an arrived frame; throws if it breaks the channel's sequence or credit. */
  void receive(Frame frame) {
    int base = frame.edge() < edgeBase.length ? edgeBase[frame.edge()] : -1;
    if (base < 0) {
      throw new IllegalStateException("frame for edge " + frame.edge() + ", which is not an input here");
    }
    int ch = edgeOf[base].partitioning() == Partitioning.FORWARD ? base : base + frame.channel();
    if (frame.sequence() != expectedSequence[ch]) {
      throw new IllegalStateException(
          "frame gap on edge " + frame.edge() + " from subtask " + frame.channel() + ": expected frame "
              + expectedSequence[ch] + ", got " + frame.sequence());
    }
    expectedSequence[ch]++;
    ArrayDeque<Frame> q = queues[ch];
    q.add(frame);
    queuedFrames++;
    maxQueued.max(q.size());
    if (q.size() > credits) {
      throw new IllegalStateException(
          "edge " + frame.edge() + " from subtask " + frame.channel() + " sent " + q.size()
              + " frames on " + credits + " credits");
    }
  }

  boolean hasQueuedFrames() {
    return queuedFrames > 0;
  }

  /** The channel of the next frame to process, round robin over non-empty channels, or -1. */
  int nextReadyChannel() {
    if (queuedFrames == 0) {
      return -1;
    }
    int n = queues.length;
    for (int i = 0; i < n; i++) {
      int ch = nextChannel;
      nextChannel = nextChannel + 1 == n ? 0 : nextChannel + 1;
      if (!blocked[ch] && !queues[ch].isEmpty()) {
        return ch;
      }
    }
    return -1;
  }

  Frame take(int channel) {
    queuedFrames--;
    return queues[channel].poll();
  }

  /** Puts a partly processed frame back at the head of its channel (held at a barrier). */
  void pushBack(int channel, Frame frame) {
    queuedFrames++;
    queues[channel].addFirst(frame);
  }

  /** Holds a channel: its frames wait until {@link #unblockAll} (barrier alignment). */
  void block(int channel) {
    blocked[channel] = true;
  }

  void unblockAll() {
    java.util.Arrays.fill(blocked, false);
  }

  boolean isEnded(int channel) {
    return ended[channel];
  }

  /** The frame taken from {@code channel} has been processed: its credit may go back. */
  void processed(int channel) {
    if (ended[channel]) {
      return;
    }
    if (++unacknowledged[channel] >= creditBatch) {
      int n = unacknowledged[channel];
      unacknowledged[channel] = 0;
      sendCredit(channel, n, n);
    }
  }

  /**
   * Records a channel's watermark; returns the new minimum over live channels if it advanced, or
   * {@link Long#MIN_VALUE} if it did not.
   */
  long onWatermark(int channel, long watermark) {
    if (watermark > watermarks[channel]) {
      watermarks[channel] = watermark;
    }
    if (watermarks[channel] >= currentWatermark) {
      aligned[channel] = true;
    }
    return advance();
  }

  /** A channel went idle or active; returns the advanced watermark or {@link Long#MIN_VALUE}. */
  long onIdleness(int channel, boolean isIdle) {
    if (isIdle) {
      idle[channel] = true;
      aligned[channel] = false;
    } else {
      activate(channel);
    }
    if (allIdle()) {
      // no channel will advance: flush the highest watermark any channel reached, as Flink does
      long max = Long.MIN_VALUE;
      for (long w : watermarks) {
        max = Math.max(max, w);
      }
      if (max > currentWatermark) {
        currentWatermark = max;
        return max;
      }
      return Long.MIN_VALUE;
    }
    return advance();
  }

  /** True when every channel is idle (an ended channel counts as active), so this task is idle too. */
  boolean allIdle() {
    for (int i = 0; i < idle.length; i++) {
      if (ended[i] || !idle[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A record arrived on a channel: an idle channel is active again, and counts for the watermark
   * once it has caught up with it. Returns true if it was idle.
   */
  boolean activate(int channel) {
    if (idle[channel]) {
      idle[channel] = false;
      aligned[channel] = watermarks[channel] >= currentWatermark;
      return true;
    }
    return false;
  }

  /** Marks a channel ended; returns true when it was the last live one. */
  boolean onEndOfInput(int channel) {
    if (!ended[channel]) {
      ended[channel] = true;
      endedCount++;
    }
    return endedCount == queues.length;
  }

  /** After an end of input: the watermark may advance because the ended channel counts at +infinity. */
  long advanceAfterEnd() {
    return advance();
  }

  private long advance() {
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int i = 0; i < watermarks.length; i++) {
      if (ended[i]) {
        any = true; // at +infinity
      } else if (!idle[i] && aligned[i]) {
        any = true;
        if (watermarks[i] < min) {
          min = watermarks[i];
        }
      }
    }
    if (!any || min <= currentWatermark) {
      return Long.MIN_VALUE;
    }
    currentWatermark = min;
    return min;
  }

  long currentWatermark() {
    return currentWatermark;
  }

  private void sendCredit(int channel, int credit, int acknowledged) {
    JobEdge e = edgeOf[channel];
    TaskId sender = task.sibling(e.source().id(), senderOf[channel]);
    Buffer b = Buffer.buffer(16);
    b.appendInt(e.id()).appendInt(subtask).appendInt(credit).appendInt(acknowledged);
    bus.send(sender.creditAddress(), b);
  }
}
