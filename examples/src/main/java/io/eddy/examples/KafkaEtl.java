package io.eddy.examples;

import io.eddy.api.DataStream;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.Collector;
import io.eddy.api.function.MapFunction;
import io.eddy.config.JobParams;
import io.eddy.connectors.kafka.DeliveryGuarantee;
import io.eddy.connectors.kafka.KafkaSink;
import io.eddy.connectors.kafka.KafkaSource;
import io.eddy.connectors.kafka.StartingOffsets;
import io.eddy.format.Formats;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.TimeWindow;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import java.time.Duration;

/**
 * Streaming ETL between Kafka topics: JSON orders in, per customer and event-time window the
 * number of orders and their total amount out, exactly once.
 *
 * <p>Input: JSON objects {@code {"orderId": "o-1", "customer": "c-7", "amountCents": 1250, "ts": 1700000000000}}
 * on {@code inputTopic} (any number of partitions; partitions added while the job runs are found
 * within {@code partitionDiscoveryMillis}). Event time is {@code ts}; orders may be late by up to
 * {@code outOfOrdernessMs}, and a partition silent for {@code idleMs} no longer holds event time
 * back. A record that is not such an object follows the job's {@code badRecords} policy.
 *
 * <p>Output: one JSON object per customer and tumbling window of {@code windowMs},
 * {@code {"customer": "c-7", "windowStart": ..., "windowEnd": ..., "orders": 3, "amountCents": 4100}},
 * keyed by customer, on {@code outputTopic}, with the delivery {@code guarantee} ({@code exactly-once}
 * by default: transactions committed with the job's checkpoints, ids prefixed
 * {@code transactionalIdPrefix}, so read it with {@code isolation.level=read_committed}).
 *
 * <p>Parameters: {@code bootstrapServers} (default {@code 127.0.0.1:9092}), {@code inputTopic}
 * (default {@code orders}), {@code outputTopic} (default {@code order-totals}), {@code groupId}
 * (default {@code kafka-etl}; offsets are committed there for monitoring),
 * {@code startingOffsets} (default {@code earliest}; see the README), {@code bounded} (default
 * false: stop at the offsets current at start), {@code stopOffsets} (stop before these offsets,
 * {@code "orders-0:100,orders-1:250"}; partitions not listed stop at their end at start),
 * {@code windowMs} (default 60000),
 * {@code outOfOrdernessMs} (default 1000), {@code idleMs} (default 5000),
 * {@code partitionDiscoveryMillis} (default 30000), {@code guarantee} (default exactly-once),
 * {@code transactionalIdPrefix} (default {@code kafka-etl}), {@code transactionTimeoutMs} (default
 * 60000).
 */
public final class KafkaEtl implements StreamJob {
  /** An order as it arrives. */
  public record Order(String orderId, String customer, long amountCents, long ts) {}

  /** One customer's orders in one window. */
  public record CustomerTotal(String customer, long windowStart, long windowEnd, long orders, long amountCents) {}

  /** The running count and sum of a window. */
  public record Totals(long orders, long amountCents) {}

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    build(pipeline, params, order -> order);
  }

  /** The dataflow, with {@code tap} applied to every order after it got its event time (tests inject failures there). */
  public static void build(Pipeline pipeline, JobParams params, MapFunction<Order, Order> tap) {
    build(pipeline, params, tap, source -> { });
  }

  /** As {@link #build(Pipeline, JobParams, MapFunction)}, with more source options (a test's stop offsets). */
  public static void build(Pipeline pipeline, JobParams params, MapFunction<Order, Order> tap,
      java.util.function.Consumer<KafkaSource.Builder<Order>> sourceOptions) {
    String servers = params.get("bootstrapServers", "127.0.0.1:9092");
    KafkaSource.Builder<Order> source = KafkaSource.<Order>builder().name("orders")
        .bootstrapServers(servers)
        .topics(params.get("inputTopic", "orders"))
        .groupId(params.get("groupId", "kafka-etl"))
        .format(Formats.json(Order.class))
        .startingOffsets(StartingOffsets.parse(params.get("startingOffsets", "earliest")))
        .partitionDiscoveryMillis(params.getLong("partitionDiscoveryMillis", 30_000));
    if (params.getBoolean("bounded", false)) {
      source.bounded(KafkaSource.Bounded.atStart());
    }
    String stops = params.get("stopOffsets");
    if (stops != null) {
      source.bounded(KafkaSource.Bounded.at(parseOffsets(stops)));
    }
    sourceOptions.accept(source);
    KafkaSink<CustomerTotal> sink = KafkaSink.<CustomerTotal>builder().name("totals")
        .bootstrapServers(servers)
        .topic(params.get("outputTopic", "order-totals"))
        .format(Formats.json(CustomerTotal.class))
        .key(CustomerTotal::customer)
        .deliveryGuarantee(DeliveryGuarantee.parse(params.get("guarantee", "exactly-once")))
        .transactionalIdPrefix(params.get("transactionalIdPrefix", "kafka-etl"))
        .property("transaction.timeout.ms", String.valueOf(params.getLong("transactionTimeoutMs", 60_000)))
        .build();

    DataStream<Order> orders = pipeline.source("orders", source.build())
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Order>forBoundedOutOfOrderness(
                Duration.ofMillis(params.getLong("outOfOrdernessMs", 1_000)))
            .withTimestampAssigner((order, ignored) -> order.ts())
            .withIdleness(Duration.ofMillis(params.getLong("idleMs", 5_000))))
        .name("event-time");
    orders.map(tap).name("tap")
        .keyBy(Order::customer)
        .window(TumblingWindows.<Order>eventTime(Duration.ofMillis(params.getLong("windowMs", 60_000))))
        .aggregate(new Sum(), new PerWindow()).name("totals-per-window")
        .sink(sink).name("write-totals");
  }

  /** {@code "orders-0:100,orders-1:250"}: partition to offset. */
  static java.util.Map<String, Long> parseOffsets(String text) {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    for (String entry : text.split(",")) {
      int colon = entry.lastIndexOf(':');
      try {
        out.put(entry.substring(0, colon).trim(), Long.parseLong(entry.substring(colon + 1).trim()));
      } catch (RuntimeException e) {
        throw new io.eddy.config.ConfigException("job parameter 'stopOffsets': '" + entry
            + "' is not <topic>-<partition>:<offset>");
      }
    }
    return out;
  }

  static final class Sum implements AggregateFunction<Order, Totals, Totals> {
    @Override
    public Totals createAccumulator() {
      return new Totals(0, 0);
    }

    @Override
    public Totals add(Order order, Totals t) {
      return new Totals(t.orders() + 1, t.amountCents() + order.amountCents());
    }

    @Override
    public Totals getResult(Totals t) {
      return t;
    }

    @Override
    public Totals merge(Totals a, Totals b) {
      return new Totals(a.orders() + b.orders(), a.amountCents() + b.amountCents());
    }
  }

  static final class PerWindow extends ProcessWindowFunction<Totals, CustomerTotal, String, TimeWindow> {
    @Override
    public void process(String customer, Context<TimeWindow> ctx, Iterable<Totals> totals, Collector<CustomerTotal> out) {
      for (Totals t : totals) {
        out.collect(new CustomerTotal(customer, ctx.window().start(), ctx.window().end(), t.orders(), t.amountCents()));
      }
    }
  }
}
