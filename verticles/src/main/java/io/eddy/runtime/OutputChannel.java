package io.eddy.runtime;

import io.eddy.api.Counter;
import io.eddy.record.Frame;
import io.eddy.record.FrameEncoder;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayDeque;

/**
 * The sending end of one channel: this subtask to one subtask of the next vertex over one edge.
 * Fills a frame, seals it when full (or when the task flushes), and sends it only with credit: one
 * credit per frame, granted by the receiver. A sealed frame without credit waits in
 * {@link #pending}; while any channel has pending frames the task takes no new input, which is how
 * back-pressure reaches the sources, and once a channel holds {@link OutputBacklog#MAX_FRAMES_PER_CHANNEL}
 * the operators of the chain yield (see {@link OutputBacklog}), so what waits here stays bounded.
 * Confined to the task's event-loop thread.
 */
final class OutputChannel {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final EventBus bus;
  private final String address;
  private final int edge;
  private final int sender;
  private final int maxRecords;
  private final int maxBytes;
  private final FrameEncoder encoder; // null: local hand-over of frame objects
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private final Counter framesOut;
  private final Counter recordsOut;
  private final Counter maxInFlight;
  private final Counter maxBacklog;
  private final TaskMetrics metrics;
  private final OutputBacklog backlog;
  private Frame frame;
  private long nextSequence;
  private int credits;
  private int inFlight;
  private int controlsInFrame; // watermarks and end of input in the frame being filled: not records

  OutputChannel(
      EventBus bus, String address, int edge, int sender, int maxRecords, int maxBytes,
      SerdeRegistry serdes, TaskMetrics metrics, OutputBacklog backlog) {
    this.bus = bus;
    this.address = address;
    this.edge = edge;
    this.sender = sender;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.encoder = serdes == null ? null : new FrameEncoder(serdes, Math.min(maxBytes + 1024, 1 << 20));
    this.framesOut = metrics.counter(TaskMetrics.FRAMES_OUT);
    this.recordsOut = metrics.counter(TaskMetrics.RECORDS_OUT);
    this.maxInFlight = metrics.counter(TaskMetrics.MAX_FRAMES_IN_FLIGHT);
    this.maxBacklog = metrics.counter(TaskMetrics.MAX_FRAMES_BACKLOGGED);
    this.metrics = metrics;
    this.backlog = backlog;
    begin();
  }

  private void begin() {
    controlsInFrame = 0;
    if (encoder != null) {
      encoder.begin(edge, sender, nextSequence);
    } else {
      frame = new Frame(edge, sender, nextSequence, Math.min(maxRecords, 1024));
    }
  }

  void add(Object element, long timestamp) {
    if (encoder != null) {
      encoder.add(element, timestamp);
      if (encoder.count() >= maxRecords || encoder.bytes() >= maxBytes) {
        seal();
      }
    } else {
      frame.add(element, timestamp);
      if (frame.size() >= maxRecords) {
        seal();
      }
    }
  }

  /** Adds a control element (watermark, end of input), which does not count as a record. */
  void addControl(Object element) {
    controlsInFrame++;
    add(element, Frame.NO_TIMESTAMP);
  }

  /** Sends the frame being filled, if it holds anything. */
  void seal() {
    Object message;
    if (encoder != null) {
      if (encoder.count() == 0) {
        return;
      }
      recordsOut.add(encoder.count() - controlsInFrame);
      message = Buffer.buffer(encoder.finish());
    } else {
      if (frame.isEmpty()) {
        return;
      }
      recordsOut.add(frame.size() - controlsInFrame);
      message = frame;
    }
    nextSequence++;
    begin();
    if (credits > 0 && pending.isEmpty()) {
      send(message);
    } else {
      if (pending.isEmpty()) {
        metrics.channelOutOfCredit();
      }
      pending.add(message);
      backlog.changed(pending.size() - 1, pending.size());
      maxBacklog.max(pending.size());
    }
  }

  private void send(Object message) {
    credits--;
    inFlight++;
    maxInFlight.max(inFlight);
    framesOut.inc();
    if (encoder == null) {
      bus.send(address, message, LOCAL);
    } else {
      bus.send(address, message);
    }
  }

  /**
   * The receiver granted {@code credits} more frames, {@code acknowledged} of which free frames it
   * has processed (the first grant acknowledges none). Sends what waits.
   */
  void grant(int credits, int acknowledged) {
    this.credits += credits;
    this.inFlight -= acknowledged;
    if (pending.isEmpty()) {
      return;
    }
    int before = pending.size();
    while (this.credits > 0 && !pending.isEmpty()) {
      send(pending.poll());
    }
    backlog.changed(before, pending.size());
    if (pending.isEmpty()) {
      metrics.channelReleased();
    }
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  int inFlight() {
    return inFlight;
  }
}
