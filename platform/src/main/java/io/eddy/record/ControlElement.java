package io.eddy.record;

/**
 * A stream element that is not a record: watermarks, end of input and (later) checkpoint barriers.
 * Control elements travel in-band in the same frames as records, so a channel keeps their order.
 */
public interface ControlElement {}
