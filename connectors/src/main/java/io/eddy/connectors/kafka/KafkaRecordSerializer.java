package io.eddy.connectors.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns one record into the Kafka record to write: topic, partition (null: the producer's
 * partitioner decides, by key), timestamp, key, value and headers, all chosen per record. Called
 * on the sink task's event loop; must not block. Throwing
 * {@link io.eddy.format.FormatException} fails the job with the reason.
 */
@FunctionalInterface
public interface KafkaRecordSerializer<T> {
  ProducerRecord<byte[], byte[]> serialize(T record, long timestamp);
}
