package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.record.CheckpointBarrier;
import io.eddy.record.ControlElement;
import io.eddy.record.EndOfInput;
import io.eddy.record.Frame;
import io.eddy.record.FrameDecoder;
import io.eddy.record.Watermark;
import io.eddy.record.WatermarkStatus;
import io.vertx.core.buffer.Buffer;

/**
 * Takes a non-source subtask's input from its {@link InputGate} into the head of its chain: a few
 * frames per turn, each element in order. Records go to the head; watermarks and idleness pass
 * through the gate's per-channel valve, so the head sees the minimum over its channels; checkpoint
 * barriers are aligned by the {@link BarrierAligner} (exactly once: a channel that delivered the
 * barrier is held until all have); the end of input of the last channel ends the task's input.
 *
 * <p>A frame is processed from its read position. When the task must stop inside a frame (held at a
 * barrier, an operator paused the input or yielded), the rest of the frame is put back with its
 * credit withheld and processing resumes there in a later turn.
 *
 * <p>Threading: everything on the task's event loop; nothing blocks.
 */
final class InputProcessor {
  private static final int FRAMES_PER_TURN = 8;

  /** What the input needs of its task. */
  interface Task {
    /** True when the chain takes no more input now (paused, yielding, or its output is full). */
    boolean inputStopped();

    /** True while some output channel waits for credit: no further frame this turn. */
    boolean backPressured();

    /** Barrier {@code checkpointId} arrived on every channel: snapshot now, before what follows it. */
    void barrierAligned(long checkpointId, long timestamp);

    /** The last channel ended. */
    void inputEnded();
  }

  private final InputGate gate;
  private final BarrierAligner aligner;
  private final FrameDecoder decoder;
  private final Output<Object> head;
  private final boolean alignBarriers; // false: at least once, nothing is held at a barrier
  private final TaskMetrics metrics;
  private final Task task;
  private final Counter recordsIn;
  private final Counter framesIn;

  InputProcessor(InputGate gate, FrameDecoder decoder, Output<Object> head, boolean alignBarriers,
      TaskMetrics metrics, Task task) {
    this.gate = gate;
    this.aligner = new BarrierAligner(gate);
    this.decoder = decoder;
    this.head = head;
    this.alignBarriers = alignBarriers;
    this.metrics = metrics;
    this.task = task;
    this.recordsIn = metrics.counter(TaskMetrics.RECORDS_IN);
    this.framesIn = metrics.counter(TaskMetrics.FRAMES_IN);
  }

  /** A frame arrived: a local frame object, or a serialized frame from another JVM. */
  void receive(Object body) {
    Frame frame;
    if (body instanceof Frame f) {
      frame = f;
    } else {
      byte[] bytes = ((Buffer) body).getBytes();
      frame = decoder.decode(bytes, 0, bytes.length);
    }
    gate.receive(frame);
  }

  /** Grants every sender its first credit: the task runs. */
  void start() {
    gate.grantInitialCredits();
  }

  /** Processes a few frames; returns whether another turn should follow at once. */
  boolean processFrames() {
    for (int i = 0; i < FRAMES_PER_TURN; i++) {
      if (task.inputStopped()) {
        return false; // the task schedules the next turn when input resumes
      }
      int ch = gate.nextReadyChannel();
      if (ch < 0) {
        return false;
      }
      Frame frame = gate.take(ch);
      if (!process(ch, frame)) {
        continue; // held at a barrier or stopped: the rest of the frame waits, its credit too
      }
      gate.processed(ch);
      if (task.backPressured()) {
        return false;
      }
    }
    return gate.hasQueuedFrames();
  }

  /** Processes a frame from its read position; false when it stopped inside it and put the rest back. */
  private boolean process(int ch, Frame frame) {
    if (frame.position() == 0) {
      framesIn.inc();
    }
    int n = frame.size();
    int records = 0;
    Output<Object> h = head;
    for (int i = frame.position(); i < n; i++) {
      Object e = frame.element(i);
      boolean hold = false;
      if (e instanceof ControlElement) {
        hold = control(ch, e);
      } else {
        records++;
        if (gate.activate(ch)) {
          h.idleness(false);
        }
        h.collect(e, frame.timestamp(i));
      }
      if ((hold || task.inputStopped()) && i + 1 < n) {
        frame.position(i + 1);
        gate.pushBack(ch, frame);
        recordsIn.add(records);
        return false;
      }
    }
    recordsIn.add(records);
    return true;
  }

  /** Handles a control element; true when the channel is now held at a barrier. */
  private boolean control(int ch, Object e) {
    if (e instanceof CheckpointBarrier b) {
      if (aligner.onBarrier(ch, b.id(), b.timestamp())) {
        aligned(b.id(), b.timestamp());
      } else if (alignBarriers) {
        gate.block(ch);
        return true;
      }
    } else if (e instanceof Watermark w) {
      advanced(gate.onWatermark(ch, w.timestamp()));
    } else if (e instanceof WatermarkStatus status) {
      boolean wasAllIdle = gate.allIdle();
      advanced(gate.onIdleness(ch, status == WatermarkStatus.IDLE));
      if (gate.allIdle() != wasAllIdle) {
        head.idleness(!wasAllIdle);
      }
    } else if (e == EndOfInput.INSTANCE) {
      boolean last = gate.onEndOfInput(ch);
      if (aligner.onChannelEnded()) {
        aligned(aligner.pendingId(), aligner.pendingTimestamp());
      }
      if (last) {
        task.inputEnded();
      } else {
        advanced(gate.advanceAfterEnd());
      }
    }
    return false;
  }

  private void aligned(long checkpointId, long timestamp) {
    metrics.alignment(aligner.alignmentNanos());
    aligner.reset();
    gate.unblockAll();
    task.barrierAligned(checkpointId, timestamp);
  }

  private void advanced(long watermark) {
    if (watermark != Long.MIN_VALUE) {
      metrics.inputWatermark(watermark);
      head.watermark(watermark);
    }
  }
}
