package io.eddy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.connectors.kafka.KafkaTestBroker;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.KafkaEtl;
import io.eddy.examples.KafkaEtl.CustomerTotal;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.eddy.connectors.kafka.KafkaSource;
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
  static final int ORDERS = 3000; // a multiple of 3 partitions x 3 stages
  static final int PER_PARTITION = ORDERS / 3;
  static final int CUSTOMERS = 25;
  static final long WINDOW_MS = 1000;
  static KafkaTestBroker broker;
  static List<KafkaEtl.Order> input;
  static List<List<String>> lines; // per partition

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
    // per partition: event time rising by 20 ms per order, jitter within the allowed disorder
    Random rnd = new Random(42);
    input = new ArrayList<>();
    lines = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      List<String> part = new ArrayList<>();
      for (int i = 0; i < PER_PARTITION; i++) {
        KafkaEtl.Order o = new KafkaEtl.Order("o-" + p + "-" + i, "c-" + rnd.nextInt(CUSTOMERS),
            1 + rnd.nextInt(10_000), 1_700_000_000_000L + i * 20L + rnd.nextInt(300));
        input.add(o);
        part.add(new JsonObject().put("orderId", o.orderId()).put("customer", o.customer())
            .put("amountCents", o.amountCents()).put("ts", o.ts()).encode());
      }
      lines.add(part);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  /** Writes the {@code stage}-th third of every partition's orders. */
  static void produceStage(String topic, int stage) throws Exception {
    int third = PER_PARTITION / 3;
    for (int p = 0; p < 3; p++) {
      broker.produce(topic, p, lines.get(p).subList(stage * third, stage == 2 ? PER_PARTITION : (stage + 1) * third));
    }
  }

  /** The plain-loop oracle: per customer and window, the count and the sum. */
  static Map<CustomerTotal, Integer> oracle() {
    Map<String, long[]> acc = new HashMap<>();
    for (KafkaEtl.Order o : input) {
      long start = Math.floorDiv(o.ts(), WINDOW_MS) * WINDOW_MS;
      long[] a = acc.computeIfAbsent(o.customer() + "|" + start, k -> new long[2]);
      a[0]++;
      a[1] += o.amountCents();
    }
    Map<CustomerTotal, Integer> out = new HashMap<>();
    acc.forEach((k, a) -> {
      String[] parts = k.split("\\|");
      long start = Long.parseLong(parts[1]);
      out.put(new CustomerTotal(parts[0], start, start + WINDOW_MS, a[0], a[1]), 1);
    });
    return out;
  }

  static Map<CustomerTotal, Integer> committedTotals(String topic) {
    Map<CustomerTotal, Integer> out = new HashMap<>();
    for (String v : broker.readValues(topic, "read_committed", Duration.ofSeconds(60))) {
      JsonObject o = new JsonObject(v);
      out.merge(new CustomerTotal(o.getString("customer"), o.getLong("windowStart"), o.getLong("windowEnd"),
          o.getLong("orders"), o.getLong("amountCents")), 1, Integer::sum);
    }
    return out;
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
    produceStage(inputTopic, 0);
    Path checkpoints = tmp.resolve("checkpoints");
    JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 100, "exactly-once")
        .put("params", new JsonObject()
            .put("bootstrapServers", broker.bootstrapServers())
            .put("inputTopic", inputTopic).put("outputTopic", outputTopic).put("groupId", name)
            .put("windowMs", String.valueOf(WINDOW_MS)).put("outOfOrdernessMs", "1000").put("idleMs", "600000")
            .put("guarantee", guarantee).put("transactionalIdPrefix", name).put("transactionTimeoutMs", "60000"));
    Map<String, Long> stops = new HashMap<>();
    for (int p = 0; p < 3; p++) {
      stops.put(inputTopic + "-" + p, (long) PER_PARTITION);
    }
    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean failed = new AtomicBoolean();
    CompletableFuture<JobResult> result = CompletableFuture.supplyAsync(() -> {
      try {
        return Checkpointing.run(json, (pipeline, params) -> KafkaEtl.build(pipeline, params, order -> {
          if (armed.get() && failed.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure");
          }
          return order;
        }, source -> source.bounded(KafkaSource.Bounded.at(stops))), null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> Checkpointing.completed(checkpoints, name).size() >= 2, "two checkpoints");
    armed.set(true);
    produceStage(inputTopic, 1);
    await(failed::get, "the injected failure");
    produceStage(inputTopic, 2);
    return result.get(Checkpointing.TIMEOUT_SECONDS, TimeUnit.SECONDS);
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
    assertThat(committedTotals("totals-eo")).isEqualTo(oracle());
    broker.awaitNoOpenTransactions("etl-eo-", Duration.ofSeconds(30));
  }

  @Test
  void atLeastOnceSeesEveryResult() throws Exception {
    JobResult r = runWithOneFailure("etl-alo", "at-least-once", "totals-alo");
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("restarts")).isEqualTo(1);
    Map<CustomerTotal, Integer> seen = committedTotals("totals-alo");
    assertThat(seen.keySet()).isEqualTo(oracle().keySet());
    assertThat(seen.values()).allMatch(n -> n >= 1);
  }
}
