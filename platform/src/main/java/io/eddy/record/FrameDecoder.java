package io.eddy.record;

import io.eddy.serde.DataReader;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeException;
import io.eddy.serde.SerdeRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@link FrameEncoder} wrote back into a {@link Frame}. The record classes a frame names are resolved by
 * {@link SerdeRegistry#resolve} with the job's class loader: a class the job cannot carry fails the frame before
 * anything is instantiated. Not thread-safe; one per receiving task.
 */
public final class FrameDecoder {
  private final SerdeRegistry serdes;
  private final ClassLoader classLoader;
  private final List<Serde<?>> classes = new ArrayList<>();

  public FrameDecoder(SerdeRegistry serdes, ClassLoader classLoader) {
    this.serdes = serdes;
    this.classLoader = classLoader;
  }

  public Frame decode(byte[] bytes, int offset, int length) {
    DataReader in = new DataReader(bytes, offset, offset + length);
    int edge = in.readInt();
    int channel = in.readInt();
    try {
      return decode(in, edge, channel);
    } catch (SerdeException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("frame on edge ")) {
        throw e;
      }
      // a value inside a record (an Object component) names its class: say which frame it came in
      throw new SerdeException("frame on edge " + edge + " channel " + channel + ": " + e.getMessage(), e);
    }
  }

  private Frame decode(DataReader in, int edge, int channel) {
    long sequence = in.readLong();
    Frame frame = new Frame(edge, channel, sequence, 64);
    classes.clear();
    while (true) {
      int tag = in.readByte();
      switch (tag) {
        case FrameEncoder.TAG_END:
          return frame;
        case FrameEncoder.TAG_CLASS:
          classes.add(serdes.forClass(serdes.resolve(in.readString(), classLoader,
              "frame on edge " + edge + " channel " + channel)));
          break;
        case FrameEncoder.TAG_RECORD:
          frame.add(classes.get(in.readVarInt()).read(in), Frame.NO_TIMESTAMP);
          break;
        case FrameEncoder.TAG_RECORD_TS: {
          long ts = in.readZigZagLong();
          frame.add(classes.get(in.readVarInt()).read(in), ts);
          break;
        }
        case FrameEncoder.TAG_WATERMARK:
          frame.add(new Watermark(in.readZigZagLong()), Frame.NO_TIMESTAMP);
          break;
        case FrameEncoder.TAG_BARRIER: {
          long id = in.readVarLong();
          frame.add(new CheckpointBarrier(id, in.readVarLong()), Frame.NO_TIMESTAMP);
          break;
        }
        case FrameEncoder.TAG_IDLE:
          frame.add(WatermarkStatus.IDLE, Frame.NO_TIMESTAMP);
          break;
        case FrameEncoder.TAG_ACTIVE:
          frame.add(WatermarkStatus.ACTIVE, Frame.NO_TIMESTAMP);
          break;
        case FrameEncoder.TAG_END_OF_INPUT:
          frame.add(EndOfInput.INSTANCE, Frame.NO_TIMESTAMP);
          break;
        default:
          throw new SerdeException(
              "corrupt frame on edge " + edge + " channel " + channel + ": unknown tag " + tag
                  + " at byte " + (in.position() - 1));
      }
    }
  }
}
