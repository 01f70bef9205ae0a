package io.eddy.connectors.kafka;

import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.connector.SplitEnumerator;
import io.eddy.connector.SplitEnumeratorContext;
import io.eddy.format.Format;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads Kafka topics: one split per partition, handed out at run time by an enumerator on the
 * job's coordinator ({@link KafkaSplitEnumerator}), which also finds partitions added while the
 * job runs. Each record's value is read with the source's {@link Format}; its event time is the
 * Kafka record's timestamp. Positions (the next offset per partition) are part of every
 * checkpoint and win over the starting offsets on restore; they are committed back to the
 * consumer group when a checkpoint completes, for monitoring only. Reads with
 * {@code isolation.level=read_committed} unless a property says otherwise.
 */
public final class KafkaSource<T> implements Source<T> {
  final String name;
  final String bootstrapServers;
  final List<String> topics; // or null with a pattern
  final Pattern topicPattern;
  final String groupId; // may be null: then nothing is committed and committed offsets cannot start
  final Format<T> format;
  final StartingOffsets starting;
  final Bounded bounded; // null: endless
  final long partitionDiscoveryMillis;
  final long requestTimeoutMillis;
  final Map<String, String> properties;

  /** Where a bounded source stops: the offsets current at start, or given ones. */
  public record Bounded(Map<String, Long> stopOffsets) {
    /** Stop at the end offsets the enumerator sees when it starts. */
    public static Bounded atStart() {
      return new Bounded(null);
    }

    /** Stop before these offsets (keys {@code "topic-partition"}); partitions not listed stop at their end at start. */
    public static Bounded at(Map<String, Long> stopOffsets) {
      return new Bounded(Map.copyOf(stopOffsets));
    }
  }

  private KafkaSource(Builder<T> b) {
    this.name = b.name;
    this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
    if ((b.topics == null) == (b.topicPattern == null)) {
      throw new IllegalArgumentException("kafka source '" + b.name + "': give either topics or a topic pattern");
    }
    this.topics = b.topics == null ? null : List.copyOf(b.topics);
    this.topicPattern = b.topicPattern;
    this.groupId = b.groupId;
    this.format = Objects.requireNonNull(b.format, "format");
    this.starting = b.starting;
    if (starting instanceof StartingOffsets.Committed && groupId == null) {
      throw new IllegalArgumentException("kafka source '" + b.name + "': starting from committed offsets needs a groupId");
    }
    this.bounded = b.bounded;
    this.partitionDiscoveryMillis = b.partitionDiscoveryMillis;
    this.requestTimeoutMillis = b.requestTimeoutMillis;
    this.properties = Map.copyOf(b.properties);
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public boolean enumeratesSplits() {
    return true;
  }

  @Override
  public List<? extends SourceSplit> createSplits(int parallelism) {
    throw new UnsupportedOperationException("a Kafka source's splits come from its enumerator");
  }

  @Override
  public SplitEnumerator createEnumerator(SplitEnumeratorContext context, List<SourceSplit> restored) {
    return new KafkaSplitEnumerator(this, context, restored);
  }

  @Override
  public SourceReader<T> createReader(SourceReaderContext context) {
    return new KafkaSourceReader<>(this, context);
  }

  @Override
  public java.lang.reflect.Type producedType() {
    return format.type();
  }

  @Override
  public boolean isBounded() {
    return bounded != null;
  }

  @Override
  public String serializeSplit(SourceSplit split) {
    return ((KafkaSplit) split).toText();
  }

  @Override
  public SourceSplit deserializeSplit(String text) {
    return KafkaSplit.fromText(text);
  }

  /** Client properties common to the enumerator's admin client and the readers' consumers. */
  Map<String, String> clientProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("request.timeout.ms", String.valueOf(requestTimeoutMillis));
    p.put("default.api.timeout.ms", String.valueOf(requestTimeoutMillis));
    p.putAll(properties);
    return p;
  }

  String describeTopics() {
    return topics != null ? "topics " + topics : "topic pattern '" + topicPattern.pattern() + "'";
  }

  /** Options of a {@link KafkaSource}; see the README's Kafka section for each. */
  public static final class Builder<T> {
    private String name = "kafka";
    private String bootstrapServers;
    private List<String> topics;
    private Pattern topicPattern;
    private String groupId;
    private Format<T> format;
    private StartingOffsets starting = StartingOffsets.earliest();
    private Bounded bounded;
    private long partitionDiscoveryMillis = 30_000;
    private long requestTimeoutMillis = 30_000;
    private final Map<String, String> properties = new HashMap<>();

    /** For messages: the source's name in the job. */
    public Builder<T> name(String name) {
      this.name = name;
      return this;
    }

    public Builder<T> bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    public Builder<T> topics(String... topics) {
      this.topics = List.of(topics);
      return this;
    }

    public Builder<T> topicPattern(String regex) {
      this.topicPattern = Pattern.compile(regex);
      return this;
    }

    /** The consumer group offsets are committed to (monitoring) and read from (committed start). */
    public Builder<T> groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    public Builder<T> format(Format<T> format) {
      this.format = format;
      return this;
    }

    public Builder<T> startingOffsets(StartingOffsets starting) {
      this.starting = Objects.requireNonNull(starting);
      return this;
    }

    /** Makes the source end: at the offsets current when it starts, or at given offsets. */
    public Builder<T> bounded(Bounded bounded) {
      this.bounded = bounded;
      return this;
    }

    /** How often to look for new partitions and topics (endless sources); 0 turns it off. */
    public Builder<T> partitionDiscoveryMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("partitionDiscoveryMillis must be >= 0");
      }
      this.partitionDiscoveryMillis = millis;
      return this;
    }

    /** How long a request to the brokers may take before the source gives up (and fails). */
    public Builder<T> requestTimeoutMillis(long millis) {
      if (millis <= 0) {
        throw new IllegalArgumentException("requestTimeoutMillis must be > 0");
      }
      this.requestTimeoutMillis = millis;
      return this;
    }

    /** Any Kafka consumer property ({@code isolation.level}, {@code max.poll.records}, security...). */
    public Builder<T> property(String key, String value) {
      properties.put(key, value);
      return this;
    }

    public KafkaSource<T> build() {
      return new KafkaSource<>(this);
    }
  }
}
