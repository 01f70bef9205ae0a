package io.eddy.examples.bench;

import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.config.JobParams;
import io.eddy.connectors.kafka.DeliveryGuarantee;
import io.eddy.connectors.kafka.KafkaSink;
import io.eddy.connectors.kafka.KafkaSource;
import io.eddy.format.Formats;
import io.vertx.core.json.JsonObject;

/**
 * The Kafka throughput and latency benchmark ({@code conf/kafka/bench.sh}): JSON objects from
 * {@code inputTopic}, parsed, stamped with a field {@code "eddy": true}, written as JSON to
 * {@code outputTopic} with the input record's timestamp (so a reader can measure end-to-end latency
 * from the producer's creation time). Parameters: {@code bootstrapServers}, {@code inputTopic},
 * {@code outputTopic}, {@code guarantee} (default exactly-once), {@code bounded} (default true: stop
 * at the offsets current at start), {@code transactionalIdPrefix}.
 */
public final class KafkaPassThrough implements StreamJob {
  @Override
  public void build(Pipeline pipeline, JobParams params) {
    String servers = params.require("bootstrapServers");
    KafkaSource.Builder<JsonObject> source = KafkaSource.<JsonObject>builder().name("in")
        .bootstrapServers(servers).topics(params.require("inputTopic")).format(Formats.json())
        .groupId(params.get("groupId", "kafka-pass-through"));
    if (params.getBoolean("bounded", true)) {
      source.bounded(KafkaSource.Bounded.atStart());
    }
    KafkaSink<JsonObject> sink = KafkaSink.<JsonObject>builder().name("out").bootstrapServers(servers)
        .topic(params.require("outputTopic")).format(Formats.json())
        .deliveryGuarantee(DeliveryGuarantee.parse(params.get("guarantee", "exactly-once")))
        .transactionalIdPrefix(params.get("transactionalIdPrefix", "kafka-pass-through"))
        .property("linger.ms", "5")
        .build();
    pipeline.source("in", source.build())
        .map(o -> o.put("eddy", true)).name("stamp")
        .sink(sink).name("out");
  }
}
