package io.eddy.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskMessageCodecTest {
  private final TaskMessageCodec codec = new TaskMessageCodec();

  private static final List<TaskMessage> EVERY_KIND = List.of(
      new TaskCommand.Run(),
      new TaskCommand.Cancel(),
      new TaskCommand.TriggerCheckpoint(7, 1_700_000_000_123L, true),
      new TaskCommand.TriggerCheckpoint(8, 5, false),
      new TaskCommand.TriggerFinalCheckpoint(9),
      new TaskCommand.CheckpointComplete(Long.MAX_VALUE),
      new TaskCommand.CheckpointAborted(3),
      new TaskCommand.AssignSplits(List.of("orders-0", "orders-1\twith a tab", "ünïcode"), false),
      new TaskCommand.AssignSplits(List.of(), true),
      new TaskReport.Ended(2, 1),
      new TaskReport.Finished(0, 3, Map.of("recordsIn", 10L, "recordsOut", 9L)),
      new TaskReport.Failed(1, 0, Map.of(), "operator 'parse' failed: bad record at line 3"),
      new TaskReport.Failed(1, 0, Map.of("recordsIn", 1L), null),
      new TaskReport.Canceled(4, 2, "RUNNING", Map.of("framesIn", 12L)),
      new TaskReport.CheckpointAck(1, 1, 42,
          new JsonObject().put("window#3", new JsonObject().put("shared", List.of("a.sst", "b.sst"))),
          Map.of("recordsIn", 100L), Map.of("alignmentNanos", 1234L, "inputWatermark", Long.MIN_VALUE)));

  @Test
  void everyKindOfMessageSurvivesTheWireWithItsFields() {
    for (TaskMessage m : EVERY_KIND) {
      Buffer wire = Buffer.buffer().appendString("prefix");
      codec.encodeToWire(wire, m);
      assertEquals(m, codec.decodeFromWire("prefix".length(), wire), "round trip of " + m);
    }
  }

  @Test
  void locallyTheRecordItselfIsHandedOver() {
    for (TaskMessage m : EVERY_KIND) {
      assertSame(m, codec.transform(m));
    }
  }

  @Test
  void anUnknownTagIsRefusedByName() {
    Buffer wire = Buffer.buffer().appendByte((byte) 99);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decodeFromWire(0, wire));
    assertEquals("unknown task message tag 99 at byte 0", e.getMessage());
  }
}
