package io.eddy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BadRecord;
import io.eddy.api.OutputTag;
import io.eddy.connectors.kafka.KafkaSource;
import io.eddy.connectors.kafka.KafkaTestBroker;
import io.eddy.connectors.kafka.StartingOffsets;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.format.Formats;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.Jobs;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka source against a real broker, in bounded mode so that each job ends. */
class KafkaSourceTest {
  static KafkaTestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static List<String> lines(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new JsonObject().put("id", prefix + i).put("n", i).encode());
    }
    return out;
  }

  private static KafkaSource.Builder<String> source(String topic) {
    return KafkaSource.<String>builder().name("in").bootstrapServers(broker.bootstrapServers())
        .topics(topic).format(Formats.string()).bounded(KafkaSource.Bounded.atStart());
  }

  private static JobResult runCollecting(KafkaSource<String> source, int parallelism, String badRecords,
      Queue<CollectingSink.Arrival<String>> out, Queue<CollectingSink.Arrival<BadRecord>> dead) throws Exception {
    JsonObject json = new JsonObject().put("job", "test.Kafka").put("parallelism", parallelism).put("badRecords", badRecords);
    return Jobs.run(io.eddy.config.JobConfig.parse(json.encode(), "test"), (pipeline, params) -> {
      var s = pipeline.source("in", source);
      s.sink(new CollectingSink<>(out));
      if (dead != null) {
        s.sideOutput(OutputTag.BAD_RECORDS).sink(new CollectingSink<>(dead));
      }
    });
  }

  private static List<String> values(Queue<CollectingSink.Arrival<String>> q) {
    return q.stream().map(CollectingSink.Arrival::record).toList();
  }

  @Test
  void boundedReadOfEveryPartitionGivesEachRecordOnceInPartitionOrder() throws Exception {
    broker.createTopic("bounded", 3);
    List<String> expected = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      List<String> part = lines("p" + p + "-", 500 + p * 100);
      broker.produce("bounded", p, part);
      expected.addAll(part);
    }
    Queue<CollectingSink.Arrival<String>> out = new ConcurrentLinkedQueue<>();
    JobResult r = runCollecting(source("bounded").build(), 2, "fail", out, null);
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(JobStatus.FINISHED);
    assertThat(values(out)).containsExactlyInAnyOrderElementsOf(expected);
    // within a partition, order is kept (the sink is forward-chained to the source subtask)
    for (int p = 0; p < 3; p++) {
      String prefix = "\"p" + p + "-";
      List<Integer> ns = values(out).stream().filter(v -> v.contains(prefix)).map(v -> new JsonObject(v).getInteger("n")).toList();
      assertThat(ns).isSorted();
    }
  }

  @Test
  void startPositionsEarliestTimestampExplicitAndStopOffsets() throws Exception {
    broker.createTopic("positions", 1);
    List<String> first = lines("a", 50);
    broker.produce("positions", 0, first);
    long between = System.currentTimeMillis() + 1;
    // records get the producer's clock: wait until it has passed 'between' so the second batch is after it
    while (System.currentTimeMillis() <= between) {
      Thread.onSpinWait();
    }
    List<String> second = lines("b", 30);
    broker.produce("positions", 0, second);

    Queue<CollectingSink.Arrival<String>> out = new ConcurrentLinkedQueue<>();
    runCollecting(source("positions").startingOffsets(StartingOffsets.timestamp(between)).build(), 1, "fail", out, null);
    assertThat(values(out)).containsExactlyElementsOf(second);

    out.clear();
    runCollecting(source("positions").startingOffsets(StartingOffsets.offsets(Map.of("positions-0", 10L), StartingOffsets.earliest()))
        .bounded(KafkaSource.Bounded.at(Map.of("positions-0", 20L))).build(), 1, "fail", out, null);
    assertThat(values(out)).containsExactlyElementsOf(first.subList(10, 20));

    out.clear();
    runCollecting(source("positions").startingOffsets(StartingOffsets.latest()).build(), 1, "fail", out, null);
    assertThat(values(out)).isEmpty();
  }

  @Test
  void malformedRecordsFollowThePolicy() throws Exception {
    broker.createTopic("malformed", 1);
    List<String> input = new ArrayList<>(lines("ok", 10));
    input.add(3, "{not json");
    broker.produce("malformed", 0, input);
    KafkaSource<JsonObject> json = KafkaSource.<JsonObject>builder().name("in").bootstrapServers(broker.bootstrapServers())
        .topics("malformed").format(Formats.json()).bounded(KafkaSource.Bounded.atStart()).build();
    JsonObject config = new JsonObject().put("job", "test.Kafka").put("parallelism", 1);

    JobResult failed = Jobs.run(io.eddy.config.JobConfig.parse(config.copy().put("badRecords", "fail").encode(), "test"),
        (pipeline, params) -> pipeline.source("in", json).sink(new CollectingSink<>(new ConcurrentLinkedQueue<>())));
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.error()).contains("topic malformed partition 0 offset 3").contains("not JSON");

    Queue<CollectingSink.Arrival<JsonObject>> out = new ConcurrentLinkedQueue<>();
    JobResult skipped = Jobs.run(io.eddy.config.JobConfig.parse(config.copy().put("badRecords", "skip").encode(), "test"),
        (pipeline, params) -> pipeline.source("in", json).sink(new CollectingSink<>(out)));
    assertThat(skipped.status()).isEqualTo(JobStatus.FINISHED);
    assertThat(out).hasSize(10);
    assertThat(skipped.metrics()).containsEntry("in.badRecords", 1L);

    out.clear();
    Queue<CollectingSink.Arrival<BadRecord>> dead = new ConcurrentLinkedQueue<>();
    JobResult deadLettered = Jobs.run(io.eddy.config.JobConfig.parse(config.copy().put("badRecords", "deadLetter").encode(), "test"),
        (pipeline, params) -> {
          var s = pipeline.source("in", json);
          s.sink(new CollectingSink<>(out));
          s.sideOutput(OutputTag.BAD_RECORDS).sink(new CollectingSink<>(dead));
        });
    assertThat(deadLettered.status()).isEqualTo(JobStatus.FINISHED);
    assertThat(out).hasSize(10);
    assertThat(dead).singleElement().satisfies(a -> {
      assertThat(a.record().record()).isEqualTo("{not json");
      assertThat(a.record().raw()).as("the raw bytes read").isEqualTo("{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(a.record().reason()).startsWith("topic malformed partition 0 offset 3: json: not JSON");
    });
  }

  @Test
  void aMissingTopicOrABrokerThatDoesNotAnswerFailsWithOneClearLine() throws Exception {
    Queue<CollectingSink.Arrival<String>> out = new ConcurrentLinkedQueue<>();
    JobResult missing = runCollecting(source("no-such-topic").build(), 1, "fail", out, null);
    assertThat(missing.status()).isEqualTo(JobStatus.FAILED);
    assertThat(missing.error()).isEqualTo("kafka source 'in': topic 'no-such-topic' does not exist on " + broker.bootstrapServers());

    int closedPort = io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
    KafkaSource<String> nowhere = KafkaSource.<String>builder().name("in").bootstrapServers("127.0.0.1:" + closedPort)
        .topics("t").format(Formats.string()).requestTimeoutMillis(2000).build();
    JobResult unreachable = runCollecting(nowhere, 1, "fail", out, null);
    assertThat(unreachable.status()).isEqualTo(JobStatus.FAILED);
    assertThat(unreachable.error()).startsWith("kafka source 'in': the brokers at 127.0.0.1:" + closedPort + " did not answer within 2000 ms")
        .doesNotContain("\n");
  }

  @Test
  void partitionsAddedWhileTheJobRunsAreRead() throws Exception {
    broker.createTopic("growing", 1);
    broker.produce("growing", 0, lines("p0-", 20));
    Queue<CollectingSink.Arrival<String>> out = new ConcurrentLinkedQueue<>();
    KafkaSource<String> endless = KafkaSource.<String>builder().name("in").bootstrapServers(broker.bootstrapServers())
        .topics("growing").format(Formats.string()).partitionDiscoveryMillis(200).build();
    Jobs.Running running = Jobs.start(io.eddy.config.JobConfig.parse(
        new JsonObject().put("job", "test.Kafka").put("parallelism", 2).encode(), "test"),
        (pipeline, params) -> pipeline.source("in", endless).sink(new CollectingSink<>(out)));
    try {
      awaitSize(out, 20);
      broker.addPartitions("growing", 3);
      broker.produce("growing", 1, lines("p1-", 15));
      broker.produce("growing", 2, lines("p2-", 25));
      awaitSize(out, 60);
      List<String> expected = new ArrayList<>(lines("p0-", 20));
      expected.addAll(lines("p1-", 15));
      expected.addAll(lines("p2-", 25));
      assertThat(values(out)).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      running.coordinator().cancel();
      running.result().get(Jobs.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      Jobs.close(running.vertx());
    }
  }

  static void awaitSize(java.util.Collection<?> c, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(Jobs.TIMEOUT_SECONDS).toNanos();
    while (c.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + c.size() + " of " + n + " records arrived");
      }
      Thread.sleep(20); // polling a collection the job fills: no event to wait on
    }
  }
}
