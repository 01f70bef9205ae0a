package io.eddy.connectors.kafka;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.format.Format;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records to Kafka with a {@link DeliveryGuarantee}. Topic, partition, key, timestamp and
 * headers come from a {@link KafkaRecordSerializer} per record (or the builder's topic, format and
 * key). {@code none} and {@code at-least-once} write through the Vert.x Kafka producer;
 * {@code exactly-once} uses transactions through {@link KafkaExactlyOnceWriter} (kafka-clients
 * directly: the Vert.x producer cannot tell a transaction's producer id and epoch, which a
 * restored job needs to commit what its predecessor pre-committed).
 */
public final class KafkaSink<T> implements Sink<T> {
  /** Kafka's producer default, used when {@code transaction.timeout.ms} is not set. */
  static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

  final String name;
  final String bootstrapServers;
  final KafkaRecordSerializer<T> serializer;
  final DeliveryGuarantee guarantee;
  final String transactionalIdPrefix;
  final long requestTimeoutMillis;
  final Map<String, String> properties;

  private KafkaSink(Builder<T> b) {
    this.name = b.name;
    this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
    this.guarantee = b.guarantee;
    this.transactionalIdPrefix = b.transactionalIdPrefix;
    this.requestTimeoutMillis = b.requestTimeoutMillis;
    this.properties = Map.copyOf(b.properties);
    if (b.serializer != null) {
      this.serializer = b.serializer;
    } else {
      if (b.topic == null || b.format == null) {
        throw new IllegalArgumentException("kafka sink '" + b.name + "': give a topic and a format, or a record serializer");
      }
      String topic = b.topic;
      Format<T> format = b.format;
      Function<T, String> key = b.key;
      this.serializer = (record, timestamp) -> new ProducerRecord<>(topic, null, timestamp < 0 ? null : timestamp,
          key == null ? null : key.apply(record).getBytes(StandardCharsets.UTF_8), format.serialize(record));
    }
    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE && (transactionalIdPrefix == null || transactionalIdPrefix.isEmpty())) {
      throw new IllegalArgumentException("kafka sink '" + b.name + "': exactly-once needs a transactionalIdPrefix, unique per job");
    }
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return switch (guarantee) {
      case NONE, AT_LEAST_ONCE -> new KafkaAtLeastOnceWriter<>(this, context);
      case EXACTLY_ONCE -> {
        checkTransactionTimeout(context);
        yield new KafkaExactlyOnceWriter<>(this, context);
      }
    };
  }

  long transactionTimeoutMillis() {
    String t = properties.get("transaction.timeout.ms");
    return t == null ? DEFAULT_TRANSACTION_TIMEOUT_MS : Long.parseLong(t);
  }

  /** The half of the timeout rule that needs no broker (the other half is in the writer). */
  private void checkTransactionTimeout(SinkContext context) {
    long interval = context.checkpointIntervalMillis();
    if (interval <= 0) {
      throw new ConnectorException("kafka sink '" + name + "': exactly-once needs the job's checkpoints "
          + "(transactions are committed when a checkpoint completes)");
    }
    long restart = context.maxRestartDelayMillis();
    long timeout = transactionTimeoutMillis();
    if (timeout <= interval + restart) {
      throw new ConnectorException("kafka sink '" + name + "': transaction.timeout.ms " + timeout
          + " must be larger than the checkpoint interval " + interval + " ms plus the restart strategy's largest delay "
          + restart + " ms (" + (interval + restart) + " ms), or the broker may abort a pre-committed transaction before it is committed");
    }
  }

  /** Producer properties shared by all writers (user properties last, so they win). */
  Properties producerProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("request.timeout.ms", String.valueOf(requestTimeoutMillis));
    p.put("delivery.timeout.ms", String.valueOf(Math.max(requestTimeoutMillis + 1000, 2 * requestTimeoutMillis)));
    p.put("max.block.ms", String.valueOf(requestTimeoutMillis));
    p.put("acks", "all");
    p.putAll(properties);
    return p;
  }

  /** Options of a {@link KafkaSink}; see the README's Kafka section for each. */
  public static final class Builder<T> {
    private String name = "kafka";
    private String bootstrapServers;
    private String topic;
    private Format<T> format;
    private Function<T, String> key;
    private KafkaRecordSerializer<T> serializer;
    private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
    private String transactionalIdPrefix;
    private long requestTimeoutMillis = 30_000;
    private final Map<String, String> properties = new HashMap<>();

    public Builder<T> name(String name) {
      this.name = name;
      return this;
    }

    public Builder<T> bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /** The topic every record goes to (unless a record serializer decides). */
    public Builder<T> topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** How a record's value is written (with {@link #topic}). */
    public Builder<T> format(Format<T> format) {
      this.format = format;
      return this;
    }

    /** A record's key (UTF-8), which picks its partition under the default partitioner. */
    public Builder<T> key(Function<T, String> key) {
      this.key = key;
      return this;
    }

    /** Full control per record: topic, partition, key, value, timestamp, headers. */
    public Builder<T> recordSerializer(KafkaRecordSerializer<T> serializer) {
      this.serializer = serializer;
      return this;
    }

    public Builder<T> deliveryGuarantee(DeliveryGuarantee guarantee) {
      this.guarantee = Objects.requireNonNull(guarantee);
      return this;
    }

    /** Transactional ids are {@code <prefix>-<subtask>-<n>}; unique per job (exactly-once). */
    public Builder<T> transactionalIdPrefix(String prefix) {
      this.transactionalIdPrefix = prefix;
      return this;
    }

    public Builder<T> requestTimeoutMillis(long millis) {
      this.requestTimeoutMillis = millis;
      return this;
    }

    /** Any Kafka producer property ({@code transaction.timeout.ms}, {@code partitioner.class}, {@code linger.ms}...). */
    public Builder<T> property(String key, String value) {
      properties.put(key, value);
      return this;
    }

    public KafkaSink<T> build() {
      return new KafkaSink<>(this);
    }
  }
}
