package io.eddy.runtime;

import io.eddy.record.EndOfInput;
import io.eddy.record.Watermark;

/**
 * The output of a chain's last operator when the vertex has outgoing edges: every record goes to
 * each edge's {@link RecordWriter}; watermarks and the end of input go to every channel and are
 * sent at once, so that downstream time and completion never wait for a flush timer.
 */
final class ExchangeOutput implements Output<Object> {
  private final RecordWriter[] writers;
  private final TaskMetrics metrics;

  ExchangeOutput(RecordWriter[] writers, TaskMetrics metrics) {
    this.writers = writers;
    this.metrics = metrics;
  }

  @Override
  public void collect(Object record, long timestamp) {
    for (RecordWriter w : writers) {
      w.write(record, timestamp);
    }
  }

  @Override
  public void watermark(long watermark) {
    metrics.outputWatermark(watermark);
    Watermark w = watermark == Long.MAX_VALUE ? Watermark.END : new Watermark(watermark);
    control(w);
  }

  @Override
  public void idleness(boolean idle) {
    control(idle ? io.eddy.record.WatermarkStatus.IDLE : io.eddy.record.WatermarkStatus.ACTIVE);
  }

  /** Sends a checkpoint barrier on every channel, right away. */
  void barrier(io.eddy.record.CheckpointBarrier barrier) {
    control(barrier);
  }

  @Override
  public void endOfInput() {
    control(EndOfInput.INSTANCE);
  }

  private void control(Object element) {
    for (RecordWriter w : writers) {
      w.broadcastControl(element);
      for (OutputChannel c : w.channels()) {
        c.seal();
      }
    }
  }

  /** Seals every partly filled frame (the flush timer). */
  void flush() {
    for (RecordWriter w : writers) {
      for (OutputChannel c : w.channels()) {
        c.seal();
      }
    }
  }

  RecordWriter[] writers() {
    return writers;
  }
}
