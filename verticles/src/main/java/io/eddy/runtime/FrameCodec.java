package io.eddy.runtime;

import io.eddy.record.Frame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Hands a {@link Frame} object to a consumer in the same JVM without copying or serializing. Frames
 * bound for another node are sent as serialized buffers instead, so this codec never goes on the
 * wire.
 */
final class FrameCodec implements MessageCodec<Frame, Frame> {
  static final String NAME = "eddy-local-frame";

  /** Registers the codec once per event bus. */
  static void registerOn(EventBus bus) {
    try {
      bus.registerDefaultCodec(Frame.class, new FrameCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another task of this JVM did it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Frame frame) {
    throw new UnsupportedOperationException("local frames never leave the JVM");
  }

  @Override
  public Frame decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("local frames never leave the JVM");
  }

  @Override
  public Frame transform(Frame frame) {
    return frame;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
