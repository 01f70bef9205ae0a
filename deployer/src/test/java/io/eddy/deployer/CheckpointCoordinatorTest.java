package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Pipeline;
import io.eddy.checkpoint.CheckpointSettings;
import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.connector.SplitEnumerator;
import io.eddy.connector.SplitEnumeratorContext;
import io.eddy.config.JobConfig;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.control.TaskReport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint coordinator against a fake attempt on a real Vert.x event bus: every subtask is a consumer on its
 * control address that answers {@link TaskCommand}s with {@link TaskReport}s the way a task does. A source
 * acknowledges a trigger at once; every other subtask acknowledges once all sources have (the barrier reached it),
 * unless its input has ended (no barrier reaches it: it answers a direct trigger only) or it is told to stay silent.
 * The test plays the job coordinator: it passes the reports on, on the coordinator's context.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckpointCoordinatorTest {
  private static final String JOB_ID = "cc-test-1a2b3c4d";

  @TempDir Path tmp;
  private Vertx vertx;
  private Context context;
  private ExecutionPlan plan;
  private Attempt attempt;
  private JobConfig config;
  private CheckpointStorage storage;
  private final JobCounters counters = new JobCounters();
  private final Map<TaskId, List<TaskCommand>> received = new ConcurrentHashMap<>();
  private final Set<TaskId> silent = ConcurrentHashMap.newKeySet(); // acknowledge nothing
  private final Set<TaskId> ended = ConcurrentHashMap.newKeySet(); // no barrier reaches them
  private final Map<Long, Set<TaskId>> sourceAcks = new ConcurrentHashMap<>();
  private final Map<Long, Set<TaskId>> sourceTriggers = new HashMap<>(); // on the context only
  private final AtomicInteger ticks = new AtomicInteger(); // periodic trigger checks (Job.running calls)
  private final AtomicInteger acknowledged = new AtomicInteger(); // Job.acknowledged calls
  private final List<String> finalFailures = new CopyOnWriteArrayList<>();
  private CheckpointCoordinator coordinator;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    plan(new VertexMetricsTest.NoSource());
    storage = new CheckpointStorage(tmp.resolve("ckpt").resolve("cc-test"));
  }

  /** source x2 -> sum+out x2, reading {@code source}. */
  private void plan(Source<Integer> source) {
    Pipeline p = new Pipeline();
    p.source("numbers", source).keyBy(x -> x % 7)
        .reduce(Integer::sum).name("sum")
        .sink(c -> {
          throw new UnsupportedOperationException("planning only");
        }).name("out");
    plan = ExecutionPlan.of(p.graph(), 2, 128);
    attempt = new Attempt(JOB_ID, 0, plan);
  }

  record NamedSplit(String id) implements SourceSplit {
  }

  /** Hands out splits when the test says so, to subtask 0. */
  static final class TestEnumerator implements SplitEnumerator {
    final SplitEnumeratorContext context;
    final List<SourceSplit> handedOut = new ArrayList<>();
    volatile boolean closed;

    TestEnumerator(SplitEnumeratorContext context) {
      this.context = context;
    }

    @Override
    public void start() {
      handOut("a");
    }

    void handOut(String id) {
      NamedSplit s = new NamedSplit(id);
      handedOut.add(s);
      context.assignSplits(0, List.of(s));
    }

    @Override
    public List<SourceSplit> snapshotState(long checkpointId) {
      return new ArrayList<>(handedOut);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A source with a {@link TestEnumerator}; never read. */
  static final class EnumeratedSource implements Source<Integer> {
    final List<TestEnumerator> enumerators = new CopyOnWriteArrayList<>();

    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("enumerated");
    }

    @Override
    public SourceReader<Integer> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("planning only");
    }

    @Override
    public boolean enumeratesSplits() {
      return true;
    }

    @Override
    public SplitEnumerator createEnumerator(SplitEnumeratorContext context, List<SourceSplit> restored) {
      TestEnumerator e = new TestEnumerator(context);
      enumerators.add(e);
      return e;
    }

    @Override
    public String serializeSplit(SourceSplit split) {
      return split.id();
    }

    @Override
    public SourceSplit deserializeSplit(String text) {
      return new NamedSplit(text);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Builds the coordinator with these checkpoint settings and deploys the fake attempt, on the context. */
  private void start(JsonObject checkpointSettings, boolean periodic) throws Exception {
    checkpointSettings.put("directory", tmp.resolve("ckpt").toString());
    config = JobConfig.parse(new JsonObject().put("name", "cc-test").put("job", "io.eddy.examples.None")
        .put("parallelism", 2).put("checkpoints", checkpointSettings).encode(), "cc-test.json");
    CheckpointSettings settings = CheckpointSettings.of(config.raw());
    onContext(() -> {
      TaskMessage.registerCodecOn(vertx.eventBus());
      coordinator = new CheckpointCoordinator(vertx, config, settings, storage, counters, new CheckpointCoordinator.Job() {
        @Override
        public boolean running() {
          ticks.incrementAndGet();
          return true;
        }

        @Override
        public void acknowledged(TaskReport.CheckpointAck ack) {
          acknowledged.incrementAndGet();
        }

        @Override
        public void finalCheckpointFailed(String why) {
          finalFailures.add(why);
        }

        @Override
        public void changed() {
        }
      });
      return null;
    });
    long highest = vertx.executeBlocking(coordinator::highestStoredId).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    List<Future<Void>> registered = new ArrayList<>();
    onContext(() -> {
      coordinator.numberFrom(highest + 1);
      coordinator.attemptDeployed(attempt);
      registered.add(vertx.eventBus().<TaskReport>consumer(TaskId.coordinatorAddress(JOB_ID, 0), m -> {
        if (m.body() instanceof TaskReport.CheckpointAck a) {
          coordinator.acknowledged(a);
        } else if (m.body() instanceof TaskReport.Ended e) {
          coordinator.taskEnded(e.vertex(), e.subtask());
        }
      }).completion());
      for (TaskId t : attempt.tasks()) {
        received.put(t, new CopyOnWriteArrayList<>());
        registered.add(vertx.eventBus().<TaskCommand>consumer(t.controlAddress(), m -> onCommand(t, m.body()))
            .completion());
      }
      if (periodic) {
        coordinator.attemptRunning(null);
      }
      return null;
    });
    Future.all(registered).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private boolean isSource(TaskId t) {
    return plan.vertices().stream().filter(v -> v.id() == t.vertex()).findFirst().orElseThrow().isSource();
  }

  /** A fake subtask's answer to a command. */
  private void onCommand(TaskId t, TaskCommand command) {
    received.get(t).add(command);
    if (silent.contains(t)) {
      return;
    }
    if (command instanceof TaskCommand.TriggerFinalCheckpoint f) {
      ack(t, f.checkpointId());
    } else if (command instanceof TaskCommand.TriggerCheckpoint c) {
      ack(t, c.checkpointId());
      if (isSource(t)) {
        Set<TaskId> arrived = sourceTriggers.computeIfAbsent(c.checkpointId(), id -> new HashSet<>());
        arrived.add(t);
        long sources = attempt.tasks().stream().filter(this::isSource).count();
        if (arrived.size() == sources) { // the barrier has reached every downstream subtask still reading
          attempt.tasks().stream().filter(d -> !isSource(d) && !ended.contains(d) && !silent.contains(d))
              .forEach(d -> ack(d, c.checkpointId()));
        }
        // published only now: a test that waits for it may then change who is silent without racing the loop above
        sourceAcks.computeIfAbsent(c.checkpointId(), id -> ConcurrentHashMap.newKeySet()).add(t);
      }
    }
  }

  private void ack(TaskId t, long checkpointId) {
    JsonObject handles = new JsonObject().put("op-" + t.vertex(), new JsonObject()
        .put("file", "chk-" + checkpointId + "/" + t.vertex() + "-" + t.subtask()));
    report(new TaskReport.CheckpointAck(t.vertex(), t.subtask(), checkpointId, handles,
        Map.of("recordsIn", 10L * checkpointId), Map.of("alignmentNanos", 3_000_000L)));
  }

  private void report(TaskReport r) {
    vertx.eventBus().send(TaskId.coordinatorAddress(JOB_ID, 0), r, TaskMessage.DELIVERY);
  }

  private <T> T onContext(Callable<T> action) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(action.call());
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(10, TimeUnit.SECONDS);
  }

  private <T> T await(Callable<Future<T>> onContext) throws Exception {
    return onContext(onContext).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** A condition a test waits for. */
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition condition, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.holds()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private <C extends TaskCommand> List<C> commands(TaskId t, Class<C> type) {
    return received.get(t).stream().filter(type::isInstance).map(type::cast).toList();
  }

  private TaskId task(int vertexIndex, int subtask) {
    JobVertex v = plan.vertices().get(vertexIndex);
    return attempt.task(v.id(), subtask);
  }

  private JsonObject history() throws Exception {
    return onContext(coordinator::history);
  }

  @Test
  void acknowledgementsOfEverySubtaskCompleteACheckpointWhoseMetadataIsWritten() throws Exception {
    start(new JsonObject().put("intervalMillis", 3_600_000), false);
    Path dir = await(() -> coordinator.trigger(null, false));
    assertThat(dir).isEqualTo(storage.checkpointDirectory(1));
    JsonObject meta = CheckpointStorage.readMetadata(dir);
    assertThat(meta.getString("job")).isEqualTo("cc-test");
    assertThat(meta.getLong("checkpointId")).isEqualTo(1L);
    assertThat(meta.getBoolean("final")).isFalse();
    Set<String> inMeta = new HashSet<>();
    for (Object o : meta.getJsonArray("tasks")) {
      JsonObject task = (JsonObject) o;
      String expectedFile = "chk-1/" + task.getInteger("vertex") + "-" + task.getInteger("subtask");
      assertThat(task.getJsonObject("operators").getJsonObject("op-" + task.getInteger("vertex")).getString("file"))
          .isEqualTo(expectedFile);
      inMeta.add(task.getInteger("vertex") + "/" + task.getInteger("subtask"));
    }
    Set<String> all = new HashSet<>();
    attempt.tasks().forEach(t -> all.add(t.vertex() + "/" + t.subtask()));
    assertThat(inMeta).isEqualTo(all);
    // only sources were triggered; every subtask hears of the completion
    for (TaskId t : attempt.tasks()) {
      assertThat(commands(t, TaskCommand.TriggerCheckpoint.class)).hasSize(isSource(t) ? 1 : 0);
      waitFor(() -> commands(t, TaskCommand.CheckpointComplete.class).size() == 1, t + " told checkpoint 1 completed");
      assertThat(commands(t, TaskCommand.CheckpointComplete.class).get(0).checkpointId()).isEqualTo(1L);
    }
    assertThat(acknowledged.get()).isEqualTo(attempt.tasks().size());
    JsonObject h = history();
    assertThat(h.getLong("completed")).isEqualTo(1L);
    JsonObject entry = h.getJsonArray("history").getJsonObject(0);
    assertThat(entry.getString("status")).isEqualTo("COMPLETED");
    assertThat(entry.getString("kind")).isEqualTo("checkpoint");
    assertThat(entry.getLong("alignmentMillis")).isEqualTo(3L);
    assertThat(onContext(counters::snapshot)).containsEntry("checkpoints.completed", 1L)
        .containsEntry("checkpoints.lastDurationMillis", entry.getLong("durationMillis"));
  }

  @Test
  void aTimeoutAbortsTheCheckpointAndALateAcknowledgementOfItIsIgnored() throws Exception {
    start(new JsonObject().put("intervalMillis", 3_600_000).put("timeoutMillis", 300), false);
    TaskId late = task(1, 1);
    silent.add(late);
    Future<Path> first = onContext(() -> coordinator.trigger(null, false));
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> first.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertThat(failed.getCause().getMessage()).isEqualTo("checkpoint 1 aborted: timed out");
    for (TaskId t : attempt.tasks()) {
      waitFor(() -> commands(t, TaskCommand.CheckpointAborted.class).size() == 1, t + " told checkpoint 1 aborted");
    }
    JsonObject h = history();
    assertThat(h.getLong("failed")).isEqualTo(1L);
    assertThat(h.getJsonObject("lastFailure").getString("reason")).isEqualTo("aborted: timed out");
    int acksBefore = acknowledged.get();

    // the silent subtask answers now; then a second checkpoint runs to completion behind that acknowledgement
    silent.remove(late);
    ack(late, 1);
    Path second = await(() -> coordinator.trigger(null, false));
    assertThat(second).isEqualTo(storage.checkpointDirectory(2));
    assertThat(storage.completed()).containsExactly(2L);
    assertThat(acknowledged.get()).as("the late acknowledgement was not taken").isEqualTo(acksBefore + 4);
    for (TaskId t : attempt.tasks()) {
      waitFor(() -> !commands(t, TaskCommand.CheckpointComplete.class).isEmpty(), t + " told checkpoint 2 completed");
      assertThat(commands(t, TaskCommand.CheckpointComplete.class)).extracting(TaskCommand.CheckpointComplete::checkpointId)
          .containsExactly(2L);
    }
    assertThat(history().getLong("completed")).isEqualTo(1L);
  }

  @Test
  void aSubtaskWhoseInputEndedIsAskedDirectly() throws Exception {
    start(new JsonObject().put("intervalMillis", 3_600_000), false);
    // one checkpoint in progress when the subtask reports its end: its barrier never comes, so it is asked
    TaskId finished = task(1, 0);
    ended.add(finished);
    Future<Path> inProgress = onContext(() -> coordinator.trigger(null, false));
    waitFor(() -> sourceAcks.getOrDefault(1L, Set.of()).size() == 2, "the sources' acknowledgements");
    assertThat(commands(finished, TaskCommand.TriggerCheckpoint.class)).isEmpty();
    report(new TaskReport.Ended(finished.vertex(), finished.subtask()));
    assertThat(inProgress.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
        .isEqualTo(storage.checkpointDirectory(1));
    assertThat(commands(finished, TaskCommand.TriggerCheckpoint.class)).extracting(TaskCommand.TriggerCheckpoint::checkpointId)
        .containsExactly(1L);
    // and a checkpoint triggered after its end asks it at once, with the sources
    assertThat(await(() -> coordinator.trigger(null, false))).isEqualTo(storage.checkpointDirectory(2));
    assertThat(commands(finished, TaskCommand.TriggerCheckpoint.class)).extracting(TaskCommand.TriggerCheckpoint::checkpointId)
        .containsExactly(1L, 2L);
    assertThat(commands(task(1, 1), TaskCommand.TriggerCheckpoint.class)).as("still reading: reached by barriers")
        .isEmpty();
    assertThat(onContext(coordinator::ending)).isTrue();
  }

  @Test
  void onceEverySubtaskEndedTheFinalCheckpointSupersedesTheOneInProgressAndCompletes() throws Exception {
    start(new JsonObject().put("intervalMillis", 3_600_000), false);
    TaskId slow = task(1, 1);
    silent.add(slow);
    Future<Path> superseded = onContext(() -> coordinator.trigger(null, false));
    waitFor(() -> sourceAcks.getOrDefault(1L, Set.of()).size() == 2, "the sources' acknowledgements");
    silent.remove(slow);
    attempt.tasks().forEach(t -> {
      ended.add(t);
      report(new TaskReport.Ended(t.vertex(), t.subtask()));
    });
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> superseded.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertThat(failed.getCause().getMessage()).isEqualTo("checkpoint 1 aborted: superseded by the final checkpoint");
    for (TaskId t : attempt.tasks()) {
      waitFor(() -> commands(t, TaskCommand.CheckpointComplete.class).size() == 1, t + " told the final one completed");
      assertThat(commands(t, TaskCommand.TriggerFinalCheckpoint.class)).extracting(TaskCommand.TriggerFinalCheckpoint::checkpointId)
          .containsExactly(2L);
      assertThat(commands(t, TaskCommand.CheckpointComplete.class).get(0).checkpointId()).isEqualTo(2L);
    }
    JsonObject meta = CheckpointStorage.readMetadata(storage.checkpointDirectory(2));
    assertThat(meta.getBoolean("final")).isTrue();
    assertThat(meta.getJsonArray("tasks")).hasSize(attempt.tasks().size());
    JsonArray h = history().getJsonArray("history");
    assertThat(h.getJsonObject(0).getString("kind")).isEqualTo("final");
    assertThat(h.getJsonObject(0).getString("status")).isEqualTo("COMPLETED");
    assertThat(h.getJsonObject(1).getString("reason")).isEqualTo("aborted: superseded by the final checkpoint");
    assertThat(finalFailures).isEmpty();
  }

  @Test
  void periodicCheckpointsStayWithinMaxConcurrent() throws Exception {
    start(new JsonObject().put("intervalMillis", 20).put("maxConcurrent", 2), true);
    TaskId stuck = task(1, 0);
    silent.add(stuck); // no checkpoint completes
    waitFor(() -> sourceAcks.size() == 2, "two checkpoints in progress");
    int at = ticks.get();
    waitFor(() -> ticks.get() >= at + 10, "ten more periodic checks");
    assertThat(sourceAcks.keySet()).as("no third checkpoint while two are in progress").containsExactlyInAnyOrder(1L, 2L);
    assertThat(commands(task(0, 0), TaskCommand.TriggerCheckpoint.class)).hasSize(2);
    // the moment one ends (here: aborted), the next may start
    onContext(() -> {
      coordinator.abortAll("test");
      return null;
    });
    waitFor(() -> sourceAcks.size() >= 3, "a third checkpoint once none is in progress");
  }

  @Test
  void periodicCheckpointsKeepTheMinimumPauseAfterTheLastCompleted() throws Exception {
    start(new JsonObject().put("intervalMillis", 20).put("maxConcurrent", 1).put("minPauseMillis", 3_600_000), true);
    waitFor(() -> storage.latest().isPresent(), "the first checkpoint");
    waitFor(() -> history().getLong("completed") == 1L, "its completion");
    int at = ticks.get();
    waitFor(() -> ticks.get() >= at + 10, "ten more periodic checks");
    assertThat(sourceAcks.keySet()).as("nothing within the pause after the last completed").containsExactly(1L);
  }

  @Test
  void withoutAPausePeriodicCheckpointsFollowOneAnother() throws Exception {
    start(new JsonObject().put("intervalMillis", 20).put("maxConcurrent", 1), true);
    waitFor(() -> history().getLong("completed") >= 3L, "three completed checkpoints");
    assertThat(storage.completed()).hasSizeGreaterThanOrEqualTo(3); // retain 3
  }

  /** Starts the attempt's split enumerators, as the job coordinator does once its tasks run; returns the one made. */
  private TestEnumerator startEnumerators(EnumeratedSource source) throws Exception {
    onContext(() -> {
      coordinator.attemptRunning(SplitEnumerators.start(vertx, plan, JOB_ID, 0, null, e -> {
        throw new AssertionError(e);
      }));
      return null;
    });
    assertThat(source.enumerators).hasSize(1);
    return source.enumerators.get(0);
  }

  private JsonArray recordedSplits(Path checkpoint) throws Exception {
    JsonObject byUid = CheckpointStorage.readMetadata(checkpoint).getJsonObject(SplitEnumerators.METADATA_KEY);
    assertThat(byUid.fieldNames()).hasSize(1);
    return byUid.getJsonArray(byUid.fieldNames().iterator().next());
  }

  @Test
  void aStoppingCheckpointRecordsTheSplitsHandedOutAfterItsTriggerAndEndsTheEnumerators() throws Exception {
    EnumeratedSource source = new EnumeratedSource();
    plan(source);
    start(new JsonObject().put("intervalMillis", 3_600_000), false);
    TestEnumerator enumerator = startEnumerators(source);
    // a split handed out in the same turn as the trigger reaches its reader after the barrier: the stopped
    // reader never reads it, so the next attempt must get it from this checkpoint
    Future<Path> stopping = onContext(() -> {
      Future<Path> f = coordinator.trigger(null, true);
      enumerator.handOut("b");
      return f;
    });
    Path dir = stopping.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(recordedSplits(dir)).containsExactly("a", "b");
    TaskId reader = task(0, 0);
    List<String> order = received.get(reader).stream().map(c -> c instanceof TaskCommand.AssignSplits a
        ? "assign " + a.splits() : c.getClass().getSimpleName()).toList();
    assertThat(order).startsWith("assign [a]", "TriggerCheckpoint", "assign [b]");
    assertThat(enumerator.closed).as("no split is handed out after the stopping checkpoint").isTrue();
  }

  @Test
  void anOrdinaryCheckpointRecordsTheSplitsHandedOutBeforeItsTrigger() throws Exception {
    EnumeratedSource source = new EnumeratedSource();
    plan(source);
    start(new JsonObject().put("intervalMillis", 3_600_000), false);
    TestEnumerator enumerator = startEnumerators(source);
    // the reader reads on after its barrier: a split handed out after the trigger belongs to the next checkpoint
    Future<Path> checkpoint = onContext(() -> {
      Future<Path> f = coordinator.trigger(null, false);
      enumerator.handOut("b");
      return f;
    });
    assertThat(recordedSplits(checkpoint.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS)))
        .containsExactly("a");
    assertThat(enumerator.closed).isFalse();
    assertThat(recordedSplits(await(() -> coordinator.trigger(null, false)))).containsExactly("a", "b");
  }
}
