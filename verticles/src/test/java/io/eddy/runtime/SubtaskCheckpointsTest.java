package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BadRecordPolicy;
import io.eddy.api.Pipeline;
import io.eddy.api.function.MapFunction;
import io.eddy.api.function.RichFunction;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.config.FrameSettings;
import io.eddy.config.JobConfig;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobDefinition;
import io.eddy.graph.JobGraph;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Partitioning;
import io.eddy.graph.Specs;
import io.eddy.graph.StreamEdge;
import io.eddy.graph.Transform;
import io.eddy.state.KeyGroups;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SubtaskCheckpoints} over a real {@link OperatorChain} (a source's chain with one map, built
 * from a planned graph as the task builds it) and a real {@link CheckpointStorage} in a temporary
 * directory, on a real Vert.x event loop; the task is a stub that says whether the chain yields and
 * records acknowledgements. The map's function records each synchronous snapshot with the number of
 * records it had seen, so the test sees when a snapshot was taken.
 */
class SubtaskCheckpointsTest {
  @TempDir
  Path dir;

  private OperatorTestHost host;
  private CheckpointStorage storage;
  private OperatorChain chain;
  private SubtaskCheckpoints checkpoints;
  private final Counting function = new Counting();
  private final StubTask task = new StubTask();
  private final String mapUid = "count#1";

  /** Counts records; records (checkpoint id, records seen) at every snapshot. */
  static final class Counting implements MapFunction<Object, Object>, RichFunction {
    long seen;
    final List<long[]> snapshots = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Object map(Object value) {
      seen++;
      return value;
    }

    @Override
    public void snapshotState(long checkpointId) {
      snapshots.add(new long[] {checkpointId, seen});
    }
  }

  static final class StubTask implements SubtaskCheckpoints.Task {
    volatile boolean yielding;
    final Map<Long, JsonObject> acks = Collections.synchronizedMap(new TreeMap<>());
    final List<Long> ackOrder = Collections.synchronizedList(new ArrayList<>());
    volatile Throwable failure;

    @Override
    public void acknowledge(long checkpointId, JsonObject stateHandles) {
      acks.put(checkpointId, stateHandles);
      ackOrder.add(checkpointId);
    }

    @Override
    public void fail(Throwable cause) {
      failure = cause;
    }

    @Override
    public boolean chainYielding() {
      return yielding;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    host = new OperatorTestHost(BadRecordPolicy.FAIL);
    JobGraph g = new JobGraph();
    Transform source = g.add(new Specs.SourceSpec(NO_SOURCE), "numbers", List.of());
    g.add(new Specs.MapSpec(function), "count", List.of(new StreamEdge(source, Partitioning.FORWARD, null)));
    JobConfig config = JobConfig.parse("{\"job\": \"test.Job\"}", "test");
    ExecutionPlan plan = ExecutionPlan.of(g, 1, config.maxParallelism());
    JobVertex vertex = plan.vertex(0);
    assertThat(vertex.chain()).hasSize(2);
    TaskId id = new TaskId("checkpoints", 0, 0);
    storage = new CheckpointStorage(dir);
    int maxP = config.maxParallelism();
    host.run(() -> {
      chain = new OperatorChain(id, vertex, new JobDefinition.Instance(new Pipeline(), plan), config,
          FrameSettings.DEFAULTS, t -> true, host.vertx.eventBus(), host.metrics(), new OutputBacklog(), host);
      chain.open();
      assertThat(chain.uids()).containsExactly(mapUid);
      checkpoints = new SubtaskCheckpoints(id, storage, KeyGroups.rangeStart(0, maxP, 1), KeyGroups.rangeEnd(0, maxP, 1),
          chain, null, host.vertx, task);
    });
  }

  @AfterEach
  void close() throws Exception {
    host.run(() -> chain.close());
    host.close();
  }

  private void records(int n) throws Exception {
    host.run(() -> {
      for (int i = 0; i < n; i++) {
        chain.head().collect("r" + i, i);
      }
    });
  }

  private List<String> snapshots() {
    List<String> out = new ArrayList<>();
    synchronized (function.snapshots) {
      function.snapshots.forEach(s -> out.add(s[0] + ":" + s[1]));
    }
    return out;
  }

  private void awaitAck(long id) throws Exception {
    host.await("checkpoint " + id + " acknowledged", () -> task.acks.containsKey(id) || task.failure != null);
    assertThat(task.failure).isNull();
  }

  @Test
  void aTriggerWhileTheChainYieldsIsTakenWhenTheChainResumes() throws Exception {
    records(4);
    task.yielding = true;
    host.run(() -> checkpoints.trigger(5, 1000, true));
    assertThat(snapshots()).as("nothing is snapshotted while an operator fires").isEmpty();
    assertThat(host.call(checkpoints::lastSnapshot)).isEqualTo(-1);

    records(3); // what the yielded operator still fires reaches the rest of the chain before the snapshot
    host.run(() -> checkpoints.chainResumed());
    assertThat(snapshots()).as("still yielding: still deferred").isEmpty();

    task.yielding = false;
    host.run(() -> checkpoints.chainResumed());
    assertThat(snapshots()).containsExactly("5:7");
    assertThat(host.call(checkpoints::lastSnapshot)).isEqualTo(5);
    awaitAck(5);
    assertThat(task.acks.get(5L).getJsonObject(mapUid)).as("the map's part of checkpoint 5").isNotNull();
    assertThat(Files.isDirectory(storage.checkpointDirectory(5))).isTrue();

    host.run(() -> checkpoints.chainResumed());
    assertThat(snapshots()).as("a trigger is taken once").containsExactly("5:7");
  }

  @Test
  void aTriggerForACheckpointAlreadySnapshottedIsIgnored() throws Exception {
    records(2);
    host.run(() -> checkpoints.barrierAligned(6, 1000));
    records(5);
    host.run(() -> {
      checkpoints.trigger(6, 1000, true); // the coordinator's trigger after the barrier took it
      checkpoints.trigger(4, 900, true); // an older one
    });
    assertThat(snapshots()).containsExactly("6:2");
    host.run(() -> checkpoints.trigger(7, 1100, true));
    assertThat(snapshots()).containsExactly("6:2", "7:7");
    awaitAck(6);
    awaitAck(7);
    // a late trigger of 6 while the chain yields is not deferred either
    task.yielding = true;
    host.run(() -> checkpoints.trigger(6, 1000, true));
    task.yielding = false;
    host.run(() -> checkpoints.chainResumed());
    assertThat(snapshots()).containsExactly("6:2", "7:7");
    assertThat(host.call(checkpoints::lastSnapshot)).isEqualTo(7);
    // every acknowledgement names the checkpoint's own snapshot, once
    host.await("two acknowledgements", () -> task.ackOrder.size() == 2);
    assertThat(task.acks.keySet()).containsExactly(6L, 7L);
  }

  @Test
  void ofTwoTriggersWhileTheChainYieldsTheLaterIsTaken() throws Exception {
    task.yielding = true;
    host.run(() -> {
      checkpoints.trigger(8, 1000, true);
      checkpoints.trigger(9, 1100, true);
    });
    records(1);
    task.yielding = false;
    host.run(() -> checkpoints.chainResumed());
    assertThat(snapshots()).containsExactly("9:1");
    awaitAck(9);
  }

  private static final Source<Object> NO_SOURCE = new Source<>() {
    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("only planned, never read");
    }

    @Override
    public SourceReader<Object> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("only planned, never read");
    }
  };
}
