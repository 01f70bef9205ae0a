package io.eddy.kafka;

import io.eddy.connectors.kafka.KafkaTestBroker;
import io.eddy.examples.KafkaEtl;
import io.eddy.examples.KafkaEtl.CustomerTotal;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The orders of the Kafka end-to-end tests: per partition, event time rising by 20 ms per order
 * with jitter below the allowed disorder (1 s), as the JSON lines {@link KafkaEtl} reads; the
 * plain-loop oracle of its window totals; and the totals read back from a topic.
 */
public final class OrderData {
  public final int partitions;
  public final int perPartition;
  public final List<KafkaEtl.Order> orders = new ArrayList<>();
  public final List<List<String>> lines = new ArrayList<>(); // per partition

  public OrderData(int partitions, int perPartition, int customers, long seed) {
    this.partitions = partitions;
    this.perPartition = perPartition;
    Random rnd = new Random(seed);
    for (int p = 0; p < partitions; p++) {
      List<String> part = new ArrayList<>();
      for (int i = 0; i < perPartition; i++) {
        KafkaEtl.Order o = new KafkaEtl.Order("o-" + p + "-" + i, "c-" + rnd.nextInt(customers),
            1 + rnd.nextInt(10_000), 1_700_000_000_000L + i * 20L + rnd.nextInt(300));
        orders.add(o);
        part.add(new JsonObject().put("orderId", o.orderId()).put("customer", o.customer())
            .put("amountCents", o.amountCents()).put("ts", o.ts()).encode());
      }
      lines.add(part);
    }
  }

  /** Writes the {@code stage}-th of three slices of every partition's orders. */
  public void produceStage(KafkaTestBroker broker, String topic, int stage) throws Exception {
    int third = perPartition / 3;
    for (int p = 0; p < partitions; p++) {
      broker.produce(topic, p, lines.get(p).subList(stage * third, stage == 2 ? perPartition : (stage + 1) * third));
    }
  }

  /** {@code "<topic>-<p>:<perPartition>,..."}: the end of the whole input. */
  public String stopOffsets(String topic) {
    StringBuilder s = new StringBuilder();
    for (int p = 0; p < partitions; p++) {
      s.append(p == 0 ? "" : ",").append(topic).append('-').append(p).append(':').append(perPartition);
    }
    return s.toString();
  }

  /** The plain-loop oracle: per customer and window, the count and the sum, each once. */
  public Map<CustomerTotal, Integer> oracle(long windowMs) {
    Map<String, long[]> acc = new HashMap<>();
    for (KafkaEtl.Order o : orders) {
      long start = Math.floorDiv(o.ts(), windowMs) * windowMs;
      long[] a = acc.computeIfAbsent(o.customer() + "|" + start, k -> new long[2]);
      a[0]++;
      a[1] += o.amountCents();
    }
    Map<CustomerTotal, Integer> out = new HashMap<>();
    acc.forEach((k, a) -> {
      String[] parts = k.split("\\|");
      long start = Long.parseLong(parts[1]);
      out.put(new CustomerTotal(parts[0], start, start + windowMs, a[0], a[1]), 1);
    });
    return out;
  }

  /** The totals a {@code read_committed} reader sees in {@code topic}, with how often each. */
  public static Map<CustomerTotal, Integer> committedTotals(KafkaTestBroker broker, String topic) {
    Map<CustomerTotal, Integer> out = new HashMap<>();
    for (String v : broker.readValues(topic, "read_committed", Duration.ofSeconds(60))) {
      JsonObject o = new JsonObject(v);
      out.merge(new CustomerTotal(o.getString("customer"), o.getLong("windowStart"), o.getLong("windowEnd"),
          o.getLong("orders"), o.getLong("amountCents")), 1, Integer::sum);
    }
    return out;
  }
}
