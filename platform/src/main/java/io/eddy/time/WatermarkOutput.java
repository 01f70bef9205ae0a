package io.eddy.time;

/** Where a {@link WatermarkGenerator} reports progress. */
public interface WatermarkOutput {
  /** Event time has reached {@code watermark}; lower values than before are ignored. */
  void emitWatermark(long watermark);

  /** This input is idle: downstream stops waiting for it until it emits a record again. */
  void markIdle();
}
