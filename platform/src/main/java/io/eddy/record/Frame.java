package io.eddy.record;

/**
 * A batch of stream elements on one channel: the unit of exchange, of flow control (one credit is
 * one frame) and of sequencing. Records are the user's objects themselves; control elements are
 * {@link ControlElement}s in the same array, so order is kept. Records without a timestamp carry
 * {@link #NO_TIMESTAMP}.
 *
 * <p>Within one JVM the frame object itself is handed to the receiver; across JVMs it travels as
 * bytes ({@link FrameEncoder}, {@link FrameDecoder}). A frame has one owner at a time: the sender
 * while it fills it, the receiver once sent.
 */
public final class Frame {
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  private final int edge;
  private final int channel;
  private long sequence;
  private Object[] elements;
  private long[] timestamps;
  private int size;
  private int position; // the receiver's read position: a frame held at a barrier resumes there

  public Frame(int edge, int channel, long sequence, int capacity) {
    this.edge = edge;
    this.channel = channel;
    this.sequence = sequence;
    this.elements = new Object[Math.max(1, capacity)];
    this.timestamps = new long[elements.length];
  }

  /** The plan's edge this frame travels on. */
  public int edge() {
    return edge;
  }

  /** The sending subtask's index. */
  public int channel() {
    return channel;
  }

  /** Position of this frame in its channel, from 0, without gaps. */
  public long sequence() {
    return sequence;
  }

  public void sequence(long sequence) {
    this.sequence = sequence;
  }

  /** Where the receiver resumes reading (0 for a fresh frame). */
  public int position() {
    return position;
  }

  public void position(int position) {
    this.position = position;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public Object element(int i) {
    return elements[i];
  }

  public long timestamp(int i) {
    return timestamps[i];
  }

  public void add(Object element, long timestamp) {
    if (size == elements.length) {
      grow();
    }
    elements[size] = element;
    timestamps[size] = timestamp;
    size++;
  }

  private void grow() {
    int n = elements.length * 2;
    elements = java.util.Arrays.copyOf(elements, n);
    timestamps = java.util.Arrays.copyOf(timestamps, n);
  }
}
