package io.eddy.runtime.control;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one codec of {@link TaskMessage}s. Locally the (immutable) record is handed over as it is.
 * On the wire: a tag byte naming the record type, then its fields in declaration order; strings
 * and JSON as length-prefixed UTF-8, maps as a count of (string, long) pairs. An unknown tag is
 * refused with an error rather than guessed at.
 */
final class TaskMessageCodec implements MessageCodec<TaskMessage, TaskMessage> {
  static final String NAME = "eddy-task-message";

  private static final byte RUN = 1;
  private static final byte CANCEL = 2;
  private static final byte TRIGGER = 3;
  private static final byte TRIGGER_FINAL = 4;
  private static final byte COMPLETE = 5;
  private static final byte ABORTED = 6;
  private static final byte SPLITS = 7;
  private static final byte ENDED = 20;
  private static final byte FINISHED = 21;
  private static final byte FAILED = 22;
  private static final byte CANCELED = 23;
  private static final byte ACK = 24;

  @Override
  public void encodeToWire(Buffer b, TaskMessage m) {
    // Java 17: no pattern matching in switch yet
    if (m instanceof TaskCommand.Run) {
      b.appendByte(RUN);
    } else if (m instanceof TaskCommand.Cancel) {
      b.appendByte(CANCEL);
    } else if (m instanceof TaskCommand.TriggerCheckpoint t) {
      b.appendByte(TRIGGER).appendLong(t.checkpointId()).appendLong(t.timestamp()).appendByte(flag(t.stop()));
    } else if (m instanceof TaskCommand.TriggerFinalCheckpoint t) {
      b.appendByte(TRIGGER_FINAL).appendLong(t.checkpointId());
    } else if (m instanceof TaskCommand.CheckpointComplete c) {
      b.appendByte(COMPLETE).appendLong(c.checkpointId());
    } else if (m instanceof TaskCommand.CheckpointAborted a) {
      b.appendByte(ABORTED).appendLong(a.checkpointId());
    } else if (m instanceof TaskCommand.AssignSplits s) {
      WireFields.appendStrings(b.appendByte(SPLITS).appendByte(flag(s.noMoreSplits())), s.splits());
    } else if (m instanceof TaskReport.Ended e) {
      subtask(b.appendByte(ENDED), e);
    } else if (m instanceof TaskReport.Finished f) {
      appendMap(subtask(b.appendByte(FINISHED), f), f.counters());
    } else if (m instanceof TaskReport.Failed f) {
      WireFields.appendString(appendMap(subtask(b.appendByte(FAILED), f), f.counters()), f.error());
    } else if (m instanceof TaskReport.Canceled c) {
      appendMap(WireFields.appendString(subtask(b.appendByte(CANCELED), c), c.state()), c.counters());
    } else if (m instanceof TaskReport.CheckpointAck a) {
      subtask(b.appendByte(ACK), a).appendLong(a.checkpointId());
      WireFields.appendString(b, a.stateHandles().encode());
      appendMap(b, a.counters());
      appendMap(b, a.gauges());
    } else {
      throw new IllegalArgumentException("not a task message: " + m);
    }
  }

  @Override
  public TaskMessage decodeFromWire(int pos, Buffer buffer) {
    WireFields r = new WireFields(buffer, pos);
    byte tag = r.byteValue();
    return switch (tag) {
      case RUN -> new TaskCommand.Run();
      case CANCEL -> new TaskCommand.Cancel();
      case TRIGGER -> new TaskCommand.TriggerCheckpoint(r.longValue(), r.longValue(), r.flag());
      case TRIGGER_FINAL -> new TaskCommand.TriggerFinalCheckpoint(r.longValue());
      case COMPLETE -> new TaskCommand.CheckpointComplete(r.longValue());
      case ABORTED -> new TaskCommand.CheckpointAborted(r.longValue());
      case SPLITS -> {
        boolean noMore = r.flag();
        yield new TaskCommand.AssignSplits(r.strings(), noMore);
      }
      case ENDED -> new TaskReport.Ended(r.intValue(), r.intValue());
      case FINISHED -> new TaskReport.Finished(r.intValue(), r.intValue(), map(r));
      case FAILED -> new TaskReport.Failed(r.intValue(), r.intValue(), map(r), r.string());
      case CANCELED -> new TaskReport.Canceled(r.intValue(), r.intValue(), r.string(), map(r));
      case ACK -> new TaskReport.CheckpointAck(r.intValue(), r.intValue(), r.longValue(),
          new JsonObject(r.string()), map(r), map(r));
      default -> throw new IllegalArgumentException("unknown task message tag " + tag + " at byte " + pos);
    };
  }

  @Override
  public TaskMessage transform(TaskMessage m) {
    return m; // immutable records
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private static byte flag(boolean b) {
    return (byte) (b ? 1 : 0);
  }

  private static Buffer subtask(Buffer b, TaskReport r) {
    return b.appendInt(r.vertex()).appendInt(r.subtask());
  }

  private static Buffer appendMap(Buffer b, Map<String, Long> m) {
    b.appendInt(m.size());
    m.forEach((k, v) -> WireFields.appendString(b, k).appendLong(v));
    return b;
  }

  private static Map<String, Long> map(WireFields r) {
    int n = r.count(12);
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(r.string(), r.longValue());
    }
    return m;
  }
}
