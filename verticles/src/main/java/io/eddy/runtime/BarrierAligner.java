package io.eddy.runtime;

/**
 * Tracks which input channels have delivered the barrier of the checkpoint in progress. In
 * exactly-once mode the task holds a channel once its barrier arrived (its later records belong to
 * the next checkpoint) until all live channels have delivered it; in at-least-once mode nothing is
 * held. Ended channels count as delivered. Confined to the task's event-loop thread.
 */
final class BarrierAligner {
  private final InputGate gate;
  private final boolean[] arrived;
  private long pending = -1;
  private long pendingTimestamp;
  private long firstBarrierNanos; // when the pending checkpoint's first barrier arrived
  private int arrivedCount;

  BarrierAligner(InputGate gate) {
    this.gate = gate;
    this.arrived = new boolean[gate.channelCount()];
  }

  /**
   * A barrier arrived on {@code channel}. Returns true when it completes the alignment of its
   * checkpoint. An older barrier than the one pending (an aborted checkpoint) is ignored.
   */
  boolean onBarrier(int channel, long id, long timestamp) {
    if (id < pending) {
      return false;
    }
    if (id > pending) {
      pending = id;
      pendingTimestamp = timestamp;
      firstBarrierNanos = System.nanoTime();
      java.util.Arrays.fill(arrived, false);
      arrivedCount = 0;
    }
    if (!arrived[channel]) {
      arrived[channel] = true;
      arrivedCount++;
    }
    return complete();
  }

  /** A channel ended: it may have been the last one the pending checkpoint waited for. */
  boolean onChannelEnded() {
    return pending >= 0 && arrivedCount > 0 && complete();
  }

  private boolean complete() {
    for (int ch = 0; ch < arrived.length; ch++) {
      if (!arrived[ch] && !gate.isEnded(ch)) {
        return false;
      }
    }
    return true;
  }

  long pendingId() {
    return pending;
  }

  long pendingTimestamp() {
    return pendingTimestamp;
  }

  /** @return how long the pending checkpoint's alignment has taken since its first barrier */
  long alignmentNanos() {
    return System.nanoTime() - firstBarrierNanos;
  }

  /** The aligned checkpoint was taken: start over. */
  void reset() {
    java.util.Arrays.fill(arrived, false);
    arrivedCount = 0;
  }
}
