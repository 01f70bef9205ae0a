package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.function.MapFunction;
import io.eddy.api.function.RichFunction;
import io.eddy.api.function.RuntimeContext;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.connectors.file.TextFileSink;
import io.eddy.connectors.file.TextFileSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.WordCount;
import io.eddy.graph.JobDefinition;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.CollectingSink.Arrival;
import io.eddy.testing.Jobs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Jobs that fail end FAILED with an error that says where and why, and leave no task behind. */
@Timeout(120)
class FailureTest {
  private static final List<Integer> NUMBERS = IntStream.range(0, 20_000).boxed().toList();

  private static JobConfig config(int parallelism, boolean chaining, boolean serialize) {
    return Jobs.config("test.Failure", parallelism, chaining, Jobs.frame(0, serialize), null);
  }

  private static void assertFailedAndGone(JobResult r) {
    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).isNotBlank();
    assertThat(Jobs.liveTasksOf(r.jobId())).as("tasks left behind").isEmpty();
  }

  @ParameterizedTest(name = "parallelism {0}, chaining {1}, serializeLocal {2}")
  @CsvSource({"1, true, false", "2, true, false", "2, false, false", "3, false, true"})
  void anExceptionInAMapFailsTheJobNamingTheOperatorAndTheMessage(int parallelism, boolean chaining,
      boolean serialize) throws Exception {
    ConcurrentLinkedQueue<Arrival<Integer>> arrivals = new ConcurrentLinkedQueue<>();

    JobResult r = Jobs.run(config(parallelism, chaining, serialize), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(NUMBERS))
            .map(x -> {
              if (x == 12_345) {
                throw new IllegalStateException("cannot digest record " + x);
              }
              return x;
            }).name("boom")
            .sink(new CollectingSink<>(arrivals)).name("collect"));

    assertFailedAndGone(r);
    assertThat(r.error()).contains("'boom'").contains("cannot digest record 12345");
    assertThat(arrivals.stream().map(Arrival::record)).doesNotContain(12_345);
  }

  @Test
  void anExceptionInAKeySelectorFailsTheJobNamingTheKeyedOperator() throws Exception {
    JobResult r = Jobs.run(config(2, true, false), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(NUMBERS))
            .keyBy(x -> {
              if (x == 777) {
                throw new IllegalArgumentException("no key for " + x);
              }
              return x % 10;
            })
            .reduce(Integer::sum).name("sum-per-key")
            .sink(new CollectingSink<>(new ConcurrentLinkedQueue<>())));

    assertFailedAndGone(r);
    assertThat(r.error()).contains("sum-per-key").contains("no key for 777");
  }

  @Test
  void aSinkWhoseFinishFailsFailsTheJob() throws Exception {
    Sink<Integer> failingSink = context -> new SinkWriter<>() {
      @Override
      public void write(Integer record, long timestamp) {}

      @Override
      public Future<Void> finish() {
        return Future.failedFuture(new java.io.IOException("disk full on subtask " + context.subtaskIndex()));
      }
    };

    JobResult r = Jobs.run(config(2, true, false), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(NUMBERS)).sink(failingSink).name("flaky"));

    assertFailedAndGone(r);
    assertThat(r.error()).contains("disk full on subtask");
  }

  /** A map whose {@code open} fails, as one that cannot reach a service would. */
  static final class CannotOpen implements MapFunction<Integer, Integer>, RichFunction {
    @Override
    public void open(RuntimeContext context) {
      throw new IllegalStateException("cannot reach the model server from subtask " + context.subtaskIndex());
    }

    @Override
    public Integer map(Integer value) {
      return value;
    }
  }

  @ParameterizedTest(name = "chaining {0}")
  @ValueSource(booleans = {true, false})
  void aFunctionWhoseOpenThrowsFailsTheJobAndLeavesNoTask(boolean chaining) throws Exception {
    JobResult r = Jobs.run(config(2, chaining, false), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(NUMBERS))
            .map(new CannotOpen()).name("needs-server")
            .sink(new CollectingSink<>(new ConcurrentLinkedQueue<>())));

    assertFailedAndGone(r);
    assertThat(r.error()).contains("cannot reach the model server");
  }

  @Test
  void aMissingInputPathFailsTheJobNamingThePath(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no-such-dir").resolve("input.txt");
    JobConfig config = Jobs.config(WordCount.class.getName(), 2, true, null,
        new JsonObject().put("input", missing.toString()).put("output", dir.resolve("out").toString()));

    JobResult r = Jobs.run(JobDefinition.load(config, getClass().getClassLoader()));

    assertFailedAndGone(r);
    assertThat(r.error()).contains(missing.toString()).contains("does not exist");
  }

  @Test
  void aMissingInputPathFailsAlsoWhenTheSourceIsNotTheOnlyVertex(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("gone.txt");
    JobResult r = Jobs.run(config(3, false, false), (pipeline, params) ->
        pipeline.source("read", new TextFileSource(missing.toString()))
            .map(String::length)
            .sink(new TextFileSink<Integer>(dir.resolve("out").toString())));

    assertFailedAndGone(r);
    assertThat(r.error()).contains(missing.toString());
  }
}
