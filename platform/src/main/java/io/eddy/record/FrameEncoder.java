package io.eddy.record;

import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes frames as bytes for the serialized exchange. Layout: edge (int), channel (int), sequence
 * (long), then tagged elements until {@link #TAG_END}. Each frame defines the record classes it
 * uses the first time it meets them (a class name and a small index), so a receiver needs no
 * shared type table and frames may arrive at any node. A class is written only if the job can carry it
 * ({@link SerdeRegistry#requireCarried}, checked once per class for the encoder's life), so a job that emits an
 * undeclared class fails where it emits it, not at the receiver. One encoder per sending task; not thread-safe.
 */
public final class FrameEncoder {
  static final int TAG_RECORD = 1;
  static final int TAG_RECORD_TS = 2;
  static final int TAG_CLASS = 3;
  static final int TAG_WATERMARK = 4;
  static final int TAG_END_OF_INPUT = 5;
  static final int TAG_IDLE = 6;
  static final int TAG_ACTIVE = 7;
  static final int TAG_BARRIER = 8;
  static final int TAG_END = 0;

  private final SerdeRegistry serdes;
  private final DataWriter out;
  private final Map<Class<?>, Integer> classIndex = new IdentityHashMap<>();
  /** Classes already checked against the job's carried types. */
  private final Map<Class<?>, Boolean> checked = new IdentityHashMap<>();
  private int edge;
  private int channel;
  private Class<?> lastClass;
  private int lastIndex;
  private Serde<Object> lastSerde;
  private int count;

  public FrameEncoder(SerdeRegistry serdes, int initialBytes) {
    this.serdes = serdes;
    this.out = new DataWriter(initialBytes);
  }

  /** Starts a new frame, discarding anything not yet taken with {@link #finish()}. */
  public void begin(int edge, int channel, long sequence) {
    out.reset();
    classIndex.clear();
    lastClass = null;
    count = 0;
    this.edge = edge;
    this.channel = channel;
    out.writeInt(edge);
    out.writeInt(channel);
    out.writeLong(sequence);
  }

  @SuppressWarnings("unchecked")
  public void add(Object element, long timestamp) {
    count++;
    if (element instanceof ControlElement) {
      if (element instanceof Watermark w) {
        out.writeByte(TAG_WATERMARK);
        out.writeZigZagLong(w.timestamp());
      } else if (element == EndOfInput.INSTANCE) {
        out.writeByte(TAG_END_OF_INPUT);
      } else if (element instanceof CheckpointBarrier b) {
        out.writeByte(TAG_BARRIER);
        out.writeVarLong(b.id());
        out.writeVarLong(b.timestamp());
      } else if (element == WatermarkStatus.IDLE) {
        out.writeByte(TAG_IDLE);
      } else if (element == WatermarkStatus.ACTIVE) {
        out.writeByte(TAG_ACTIVE);
      } else {
        throw new IllegalArgumentException("cannot encode " + element);
      }
      return;
    }
    Class<?> c = element.getClass();
    if (c != lastClass) {
      Integer idx = classIndex.get(c);
      if (idx == null) {
        if (!checked.containsKey(c)) {
          serdes.requireCarried(c, "frame on edge " + edge + " channel " + channel);
          checked.put(c, Boolean.TRUE);
        }
        idx = classIndex.size();
        classIndex.put(c, idx);
        out.writeByte(TAG_CLASS);
        out.writeString(c.getName());
      }
      lastClass = c;
      lastIndex = idx;
      lastSerde = (Serde<Object>) serdes.forClass(c);
    }
    if (timestamp == Frame.NO_TIMESTAMP) {
      out.writeByte(TAG_RECORD);
    } else {
      out.writeByte(TAG_RECORD_TS);
      out.writeZigZagLong(timestamp);
    }
    out.writeVarInt(lastIndex);
    lastSerde.write(element, out);
  }

  /** Number of elements in the current frame. */
  public int count() {
    return count;
  }

  /** Bytes written so far for the current frame. */
  public int bytes() {
    return out.size();
  }

  /** Ends the frame and returns a copy of its bytes. */
  public byte[] finish() {
    out.writeByte(TAG_END);
    return out.toByteArray();
  }
}
