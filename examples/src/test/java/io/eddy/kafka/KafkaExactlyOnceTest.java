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
import java.util.concurrent.atomic.AtomicLong;
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
  static final int ORDERS = 4000;
  static final int CUSTOMERS = 25;
  static final long WINDOW_MS = 1000;
  static KafkaTestBroker broker;
  static List<KafkaEtl.Order> input;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
    broker.createTopic("orders", 3);
    // per partition: event time rising by 20 ms per order, jitter within the allowed disorder
    Random rnd = new Random(42);
    input = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < ORDERS / 3; i++) {
        KafkaEtl.Order o = new KafkaEtl.Order("o-" + p + "-" + i, "c-" + rnd.nextInt(CUSTOMERS),
            1 + rnd.nextInt(10_000), 1_700_000_000_000L + i * 20L + rnd.nextInt(300));
        input.add(o);
        lines.add(new JsonObject().put("orderId", o.orderId()).put("customer", o.customer())
            .put("amountCents", o.amountCents()).put("ts", o.ts()).encode());
      }
      broker.produce("orders", p, lines);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
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

  private JobResult runWithOneFailure(String name, String guarantee, String outputTopic) throws Exception {
    broker.createTopic(outputTopic, 2);
    Path checkpoints = tmp.resolve("checkpoints");
    JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 100, "exactly-once")
        .put("params", new JsonObject()
            .put("bootstrapServers", broker.bootstrapServers())
            .put("inputTopic", "orders").put("outputTopic", outputTopic).put("groupId", name)
            .put("bounded", "true").put("windowMs", String.valueOf(WINDOW_MS)).put("outOfOrdernessMs", "1000")
            .put("guarantee", guarantee).put("transactionalIdPrefix", name).put("transactionTimeoutMs", "60000"));
    AtomicLong seen = new AtomicLong();
    AtomicBoolean failed = new AtomicBoolean();
    // fails once, after at least 2 checkpoints are complete and a quarter of the input was seen
    return Checkpointing.run(json, (pipeline, params) -> KafkaEtl.build(pipeline, params, order -> {
      if (seen.incrementAndGet() >= ORDERS / 4 && !failed.get()
          && Checkpointing.completed(checkpoints, name).size() >= 2 && failed.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure");
      }
      return order;
    }), null);
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
