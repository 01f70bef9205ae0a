package io.eddy.record;

/**
 * Marks the point of checkpoint {@link #id} in a channel: records before it belong to the
 * checkpoint's state, records after it do not. Sources emit it when the coordinator triggers the
 * checkpoint; every task forwards it once it has taken its own snapshot.
 */
public record CheckpointBarrier(long id, long timestamp) implements ControlElement {}
