package io.eddy.runtime;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * From a source's split enumerator on the coordinator to one reading subtask, on the task's
 * control address (so it is ordered with the checkpoint triggers the coordinator sends there):
 * splits to read, serialized by the source, and whether more may follow.
 */
public record SplitAssignment(List<String> splits, boolean noMoreSplits) {
  public SplitAssignment {
    splits = List.copyOf(splits);
  }

  /** Registers the codec once per event bus (coordinator and task side alike). */
  public static void registerCodecOn(EventBus bus) {
    try {
      bus.registerDefaultCodec(SplitAssignment.class, new Codec());
    } catch (IllegalStateException alreadyRegistered) {
      // another task or coordinator of this JVM did it
    }
  }

  /** On the wire: flag byte, count, then each split as length-prefixed UTF-8. */
  static final class Codec implements MessageCodec<SplitAssignment, SplitAssignment> {
    @Override
    public void encodeToWire(Buffer buffer, SplitAssignment a) {
      buffer.appendByte((byte) (a.noMoreSplits() ? 1 : 0)).appendInt(a.splits().size());
      for (String s : a.splits()) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.appendInt(b.length).appendBytes(b);
      }
    }

    @Override
    public SplitAssignment decodeFromWire(int pos, Buffer buffer) {
      boolean noMore = buffer.getByte(pos) == 1;
      int n = buffer.getInt(pos + 1);
      int at = pos + 5;
      List<String> splits = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = buffer.getInt(at);
        splits.add(buffer.getString(at + 4, at + 4 + len, "UTF-8"));
        at += 4 + len;
      }
      return new SplitAssignment(splits, noMore);
    }

    @Override
    public SplitAssignment transform(SplitAssignment a) {
      return a; // immutable
    }

    @Override
    public String name() {
      return "eddy-split-assignment";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
