package io.eddy.record;

/**
 * Says that a channel went idle (it holds the watermark back no longer) or became active again.
 * Receivers leave idle channels out of their minimum watermark until they are active again.
 */
public enum WatermarkStatus implements ControlElement {
  IDLE, ACTIVE
}
