package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
import io.eddy.api.function.MapFunction;
import io.eddy.api.function.RichFunction;
import io.eddy.config.JobConfig;
import io.eddy.graph.JobDefinition;
import io.eddy.record.CheckpointBarrier;
import io.eddy.record.Frame;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.control.TaskReport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source task (a real {@link TaskVerticle} on a real Vert.x) whose output fills inside a batch,
 * so {@link SourceDriver} holds the rest of the batch, gets a checkpoint trigger then. The split
 * positions in the checkpoint must cover exactly the records that reached the chain before the
 * barrier: records read but still held belong after it. The test plays the coordinator (commands
 * and reports on the task's addresses) and the receiving task (credit, and the frames it records).
 */
class SourceCheckpointWhileHoldingTest {
  @TempDir
  Path dir;

  private final TaskLoop loop = new TaskLoop();

  @AfterEach
  void close() throws Exception {
    loop.close();
  }

  /** Counts the records that reach the chain; remembers the count at each snapshot. */
  public static final class Counting implements MapFunction<String, String>, RichFunction {
    volatile long seen;
    final List<long[]> snapshots = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String map(String value) {
      seen++;
      return value;
    }

    @Override
    public void snapshotState(long checkpointId) {
      snapshots.add(new long[] {checkpointId, seen});
    }
  }

  @Test
  void positionsInACheckpointCoverOnlyRecordsThatReachedTheChain() throws Exception {
    List<SourceDriverTest.LineSplit> splits = List.of(new SourceDriverTest.LineSplit("split-0", lines(3000)));
    Counting counting = new Counting();
    StreamJob job = (pipeline, params) -> pipeline.source("numbers", new SourceDriverTest.LineSource(splits))
        .map(counting).name("count")
        .rebalance()
        .map(x -> x).name("downstream");
    // frames of 10 records: the output holds 4 frames without credit after 40 records of a 1,024 batch
    JobConfig config = JobConfig.parse(new JsonObject()
        .put("job", "test.Job")
        .put("frame", new JsonObject().put("maxRecords", 10).put("flushMillis", 0))
        .put("checkpoints", new JsonObject().put("intervalMillis", 3_600_000).put("directory", dir.toString()))
        .encode(), "test");
    JobDefinition definition = new JobDefinition(config, job);
    TaskId id = new TaskId("holding", 0, 0);
    TaskId receiver = id.sibling(1, 0);
    List<TaskReport> reports = Collections.synchronizedList(new ArrayList<>());
    List<Object> received = Collections.synchronizedList(new ArrayList<>()); // what the receiver got, in order
    TaskVerticle task = new TaskVerticle(id, definition, t -> true);
    loop.join(() -> loop.vertx.deployVerticle(task));
    loop.run(() -> {
      loop.vertx.eventBus().<TaskReport>consumer(id.coordinatorAddress(), m -> reports.add(m.body()));
      loop.vertx.eventBus().<Frame>consumer(receiver.dataAddress(), m -> {
        Frame f = m.body();
        for (int i = 0; i < f.size(); i++) {
          received.add(f.element(i));
        }
      });
    });
    loop.run(() -> loop.vertx.eventBus().send(id.controlAddress(), new TaskCommand.Run(), TaskMessage.DELIVERY));
    loop.await("the first batch was read", () -> task.metrics().get(TaskMetrics.SOURCE_RECORDS) >= 1024);
    loop.await("the output filled inside the batch", () -> counting.seen == 40);

    loop.run(() -> loop.vertx.eventBus().send(id.controlAddress(),
        new TaskCommand.TriggerCheckpoint(1, System.currentTimeMillis(), false), TaskMessage.DELIVERY));
    // the receiver grants credit for many frames: the held records can go on
    loop.run(() -> loop.vertx.eventBus().send(id.creditAddress(),
        Buffer.buffer().appendInt(0).appendInt(0).appendInt(1000).appendInt(0)));
    loop.await("checkpoint 1 acknowledged", () -> ack(reports, 1) != null || failed(reports));
    assertThat(failed(reports)).as("" + reports).isFalse();

    TaskReport.CheckpointAck ack = ack(reports, 1);
    JsonArray entries = ack.stateHandles().getJsonObject("numbers#0").getJsonObject("operatorState")
        .getJsonObject("positions").getJsonArray("entries");
    assertThat(entries).hasSize(1);
    String entry = new String(Base64.getDecoder().decode(entries.getString(0)), StandardCharsets.UTF_8);
    String position = entry.substring(entry.indexOf('\t') + 1);
    int recorded = SourceDriverTest.LineReader.parsePosition(position);
    long seenAtSnapshot = counting.snapshots.get(0)[1];
    loop.await("the barrier reached the receiver", () -> received.stream().anyMatch(e -> e instanceof CheckpointBarrier));
    int recordsBeforeBarrier = received.indexOf(new CheckpointBarrier(1, ((CheckpointBarrier) received.stream()
        .filter(e -> e instanceof CheckpointBarrier).findFirst().get()).timestamp()));
    assertThat(recorded)
        .as("lines the checkpoint records as read (" + recorded + ") vs records that reached the chain before "
            + "its snapshot (" + seenAtSnapshot + ") and records ahead of its barrier (" + recordsBeforeBarrier + ")")
        .isEqualTo(seenAtSnapshot)
        .isEqualTo(recordsBeforeBarrier);
    loop.run(() -> loop.vertx.eventBus().request(id.controlAddress(), new TaskCommand.Cancel(), TaskMessage.DELIVERY));
  }

  private static TaskReport.CheckpointAck ack(List<TaskReport> reports, long id) {
    synchronized (reports) {
      for (TaskReport r : reports) {
        if (r instanceof TaskReport.CheckpointAck a && a.checkpointId() == id) {
          return a;
        }
      }
    }
    return null;
  }

  private static boolean failed(List<TaskReport> reports) {
    synchronized (reports) {
      return reports.stream().anyMatch(r -> r instanceof TaskReport.Failed);
    }
  }

  private static List<String> lines(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("line-" + i);
    }
    return out;
  }
}
