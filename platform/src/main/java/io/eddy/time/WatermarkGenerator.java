package io.eddy.time;

/**
 * Derives watermarks from the records of one source subtask. {@link #onEvent} sees every record
 * with its assigned timestamp; {@link #onPeriodicEmit} is called every watermark interval (and
 * after each batch of records). Both on the task's event-loop thread; neither may block.
 */
public interface WatermarkGenerator<T> {
  void onEvent(T record, long timestamp, WatermarkOutput output);

  void onPeriodicEmit(WatermarkOutput output);
}
