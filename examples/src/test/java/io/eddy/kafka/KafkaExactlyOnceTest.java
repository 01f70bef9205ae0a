package io.eddy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.connectors.kafka.KafkaSource;
import io.eddy.connectors.kafka.KafkaTestBroker;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.KafkaEtl;
import io.eddy.examples.KafkaEtl.CustomerTotal;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka in, a keyed event-time window, Kafka out, with a task failure mid-run: a
 * {@code read_committed} reader sees every window result exactly once (exactly-once sink) or at
 * least once (at-least-once sink), compared with a plain loop over the input.
 */
class KafkaExactlyOnceTest {
  static final long WINDOW_MS = 1000;
  static final OrderData DATA = new OrderData(3, 1000, 25, 42);
  static KafkaTestBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /**
   * Runs the job over an input written in three stages, so that the failure is certain to fall
   * mid-run after checkpoints: stage 1 before the start; once two checkpoints are complete the
   * failure is armed and stage 2 written (its first record fails the task, once); once the
   * failure happened, stage 3. The source stops at the offsets of the whole input.
   */
  private JobResult runWithOneFailure(String name, String guarantee, String outputTopic) throws Exception {
    String inputTopic = "orders-" + name;
    broker.createTopic(inputTopic, 3);
    broker.createTopic(outputTopic, 2);
    DATA.produceStage(broker, inputTopic, 0);
    Path checkpoints = tmp.resolve("checkpoints");
    JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 100, "exactly-once")
        .put("params", new JsonObject()
            .put("bootstrapServers", broker.bootstrapServers())
            .put("inputTopic", inputTopic).put("outputTopic", outputTopic).put("groupId", name)
            .put("stopOffsets", DATA.stopOffsets(inputTopic))
            .put("windowMs", String.valueOf(WINDOW_MS)).put("outOfOrdernessMs", "1000").put("idleMs", "600000")
            .put("guarantee", guarantee).put("transactionalIdPrefix", name).put("transactionTimeoutMs", "60000"));
    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean failed = new AtomicBoolean();
    CompletableFuture<JobResult> result = CompletableFuture.supplyAsync(() -> {
      try {
        return Checkpointing.run(json, (pipeline, params) -> KafkaEtl.build(pipeline, params, order -> {
          if (armed.get() && failed.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure");
          }
          return order;
        }), null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> Checkpointing.completed(checkpoints, name).size() >= 2, "two checkpoints");
    armed.set(true);
    DATA.produceStage(broker, inputTopic, 1);
    await(failed::get, "the injected failure");
    DATA.produceStage(broker, inputTopic, 2);
    return result.get(Checkpointing.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Once the job has ended, none of its sink's producers is left running (a producer's thread is named after it). */
  private static void awaitNoProducerThreads(String transactionalIdPrefix) throws InterruptedException {
    String marker = "kafka-producer-network-thread | producer-" + transactionalIdPrefix;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Checkpointing.TIMEOUT_SECONDS);
    List<String> left;
    while (!(left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith(marker)).toList()).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("producers of the ended job still run: " + left);
      }
      Thread.sleep(50); // polls the condition
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Checkpointing.TIMEOUT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + Checkpointing.TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(20); // polling state the job changes: no event to wait on
    }
  }

  @Test
  void exactlyOnceAcrossATaskFailureAndNoTransactionLeftOpen() throws Exception {
    JobResult r = runWithOneFailure("etl-eo", "exactly-once", "totals-eo");
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).isEqualTo(1);
    awaitNoProducerThreads("etl-eo-");
    // no transaction stays open, and the last commit's markers are written: read_committed readers see it all
    broker.awaitNoOpenTransactions("etl-eo-", Duration.ofSeconds(30));
    assertThat(OrderData.committedTotals(broker, "totals-eo")).isEqualTo(DATA.oracle(WINDOW_MS));
    // positions went back to the group when checkpoints completed (monitoring): within the input
    Map<TopicPartition, OffsetAndMetadata> committed = broker.admin().listConsumerGroupOffsets("etl-eo")
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    assertThat(committed).hasSize(3);
    assertThat(committed.values()).allSatisfy(o -> assertThat(o.offset()).isBetween(1L, (long) DATA.perPartition));
  }

  /** The broker goes away (stopped, then started again on the same ports and data) mid-run. */
  @Test
  void theJobRidesOutABrokerRestartWithNothingLostOrDuplicated() throws Exception {
    String name = "etl-restart";
    String inputTopic = "orders-" + name;
    broker.createTopic(inputTopic, 3);
    broker.createTopic("totals-restart", 2);
    DATA.produceStage(broker, inputTopic, 0);
    Path checkpoints = tmp.resolve("checkpoints");
    JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 100, "exactly-once")
        .put("restartStrategy", new JsonObject().put("type", "fixed-delay").put("attempts", 20).put("delayMillis", 500))
        .put("params", new JsonObject()
            .put("bootstrapServers", broker.bootstrapServers())
            .put("inputTopic", inputTopic).put("outputTopic", "totals-restart").put("groupId", name)
            .put("stopOffsets", DATA.stopOffsets(inputTopic))
            .put("windowMs", String.valueOf(WINDOW_MS)).put("outOfOrdernessMs", "1000").put("idleMs", "600000")
            .put("transactionalIdPrefix", name).put("transactionTimeoutMs", "60000"));
    CompletableFuture<JobResult> result = CompletableFuture.supplyAsync(() -> {
      try {
        return Checkpointing.run(json, new KafkaEtl(), null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> Checkpointing.completed(checkpoints, name).size() >= 2, "two checkpoints");
    broker.stop();
    broker.restart();
    DATA.produceStage(broker, inputTopic, 1);
    DATA.produceStage(broker, inputTopic, 2);
    JobResult r = result.get(Checkpointing.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(JobStatus.FINISHED);
    // the attempts that failed while the broker was away closed their producers too
    awaitNoProducerThreads(name + "-");
    broker.awaitNoOpenTransactions(name + "-", Duration.ofSeconds(30));
    assertThat(OrderData.committedTotals(broker, "totals-restart")).isEqualTo(DATA.oracle(WINDOW_MS));
  }

  @Test
  void atLeastOnceSeesEveryResult() throws Exception {
    JobResult r = runWithOneFailure("etl-alo", "at-least-once", "totals-alo");
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).isEqualTo(1);
    Map<CustomerTotal, Integer> seen = OrderData.committedTotals(broker, "totals-alo");
    assertThat(seen.keySet()).isEqualTo(DATA.oracle(WINDOW_MS).keySet());
    assertThat(seen.values()).allMatch(n -> n >= 1);
  }
}
