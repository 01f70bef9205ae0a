package io.eddy.connectors.kafka;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.eddy.connector.WorkInFlight;
import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code none} and {@code at-least-once} writer, on the Vert.x Kafka producer. It takes part
 * in checkpoints as a two-phase-commit writer only for the barrier: under at-least-once
 * {@link #preCommit} flushes, so a checkpoint completes only once every record before its barrier
 * is acknowledged (there is nothing to commit). A failed send fails the task at the next write or
 * barrier, naming the topic and the cause.
 */
final class KafkaAtLeastOnceWriter<T> implements TwoPhaseCommitSinkWriter<T> {
  private final KafkaSink<T> sink;
  private final KafkaProducer<byte[], byte[]> producer;
  /** Records sent and not yet acknowledged (or failed): bounded, see {@link #backPressure}. */
  static final int MAX_RECORDS_IN_FLIGHT = 8192;
  private final WorkInFlight inFlight = new WorkInFlight(MAX_RECORDS_IN_FLIGHT);
  private Throwable failure;
  private String failedTopic;

  KafkaAtLeastOnceWriter(KafkaSink<T> sink, SinkContext context) {
    this.sink = sink;
    Map<String, String> config = new HashMap<>();
    sink.producerProperties().forEach((k, v) -> config.put((String) k, (String) v));
    if (sink.guarantee == DeliveryGuarantee.NONE && !sink.properties.containsKey("acks")) {
      config.put("acks", "1"); // nothing waits for the acknowledgement anyway
    }
    producer = KafkaProducer.create(context.vertx(), config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void write(T record, long timestamp) {
    check();
    ProducerRecord<byte[], byte[]> r = sink.serializer.serialize(record, timestamp);
    KafkaProducerRecord<byte[], byte[]> out = KafkaProducerRecord.create(r.topic(), r.key(), r.value(), r.timestamp(), r.partition());
    for (Header h : r.headers()) {
      out.addHeader(KafkaHeader.header(h.key(), h.value()));
    }
    inFlight.started();
    producer.send(out).onComplete(ar -> {
      if (ar.failed() && failure == null) {
        failure = ar.cause();
        failedTopic = r.topic();
      }
      inFlight.finished();
    });
  }

  /** Full while {@value #MAX_RECORDS_IN_FLIGHT} records wait for the producer's acknowledgement. */
  @Override
  public Future<Void> backPressure() {
    return inFlight.backPressure();
  }

  private void check() {
    if (failure != null && sink.guarantee != DeliveryGuarantee.NONE) {
      throw new ConnectorException("kafka sink '" + sink.name + "': writing to topic '" + failedTopic + "' on "
          + sink.bootstrapServers + " failed: " + failure, failure);
    }
  }

  private Future<Void> flushed() {
    return producer.flush().compose(v -> {
      try {
        check();
        return Future.<Void>succeededFuture();
      } catch (ConnectorException e) {
        return Future.failedFuture(e);
      }
    });
  }

  @Override
  public Future<String> preCommit(long checkpointId) {
    if (sink.guarantee == DeliveryGuarantee.NONE) {
      return Future.succeededFuture("");
    }
    return flushed().map("");
  }

  @Override
  public Future<Void> commit(List<String> committables) {
    return Future.succeededFuture(); // nothing was held back
  }

  @Override
  public List<String> finalCommittables() {
    return List.of();
  }

  @Override
  public Future<Void> finish() {
    return flushed();
  }

  @Override
  public void close() {
    producer.close();
  }
}
