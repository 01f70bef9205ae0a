package io.eddy.connectors.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node KRaft broker (Kafka 3.9.1) inside the test JVM, on free loopback ports
 * with a temporary log directory, set up for transactions (the settings from the shared notes).
 * {@link #close()} stops it and deletes the directory; {@link #stop()} and {@link #restart()}
 * keep the data and ports, for tests that take the broker away mid-run.
 */
public final class KafkaTestBroker implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final Properties props;
  private KafkaRaftServer server;
  private Admin admin;

  private KafkaTestBroker(Map<String, String> extra) throws Exception {
    dir = Files.createTempDirectory("eddy-kafka-");
    port = freePort();
    controllerPort = freePort();
    props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "3");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "3");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.putAll(extra);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    new Formatter()
        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(Set.of(dir.toString()))
        .setMetadataLogDirectory(dir.toString())
        .setControllerListenerName("CONTROLLER")
        .setUnstableFeatureVersionsEnabled(false)
        .run();
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
  }

  /** Starts a broker; {@code extra} overrides or adds broker properties. */
  public static KafkaTestBroker start(Map<String, String> extra) throws Exception {
    return new KafkaTestBroker(extra);
  }

  public static KafkaTestBroker start() throws Exception {
    return start(Map.of());
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** An admin client on this broker, made once and closed with the broker. */
  public synchronized Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      admin = Admin.create(p);
    }
    return admin;
  }

  public void createTopic(String topic, int partitions) throws Exception {
    admin().createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    awaitLeaders(topic, 0, partitions);
  }

  public void addPartitions(String topic, int totalPartitions) throws Exception {
    int before = admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
        .partitions().size();
    admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(totalPartitions))).all().get(30, TimeUnit.SECONDS);
    awaitLeaders(topic, before, totalPartitions);
  }

  /**
   * Waits until the broker leads partitions {@code [from, to)} of {@code topic}. The creation returns once the
   * controller decided, and the broker's metadata may name it leader before it acts as one: a producer writing then
   * gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer's retry of that batch was seen to fail for good with
   * OUT_OF_ORDER_SEQUENCE_NUMBER. Listing offsets is answered by the partition's leader only (the admin client
   * retries a leader's refusal; a topic its metadata does not know yet is asked again here), so its answer is
   * the condition.
   */
  private void awaitLeaders(String topic, int from, int to) throws Exception {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask = new java.util.HashMap<>();
    for (int i = from; i < to; i++) {
      ask.put(new org.apache.kafka.common.TopicPartition(topic, i), org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        admin().listOffsets(ask).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        // the admin client's metadata may not know the new topic or partitions yet: that refusal is not retried
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(20); // polls the condition
      }
    }
  }

  /** Writes {@code values} (UTF-8, no key) to {@code partition} of {@code topic} and waits for the acks. */
  public void produce(String topic, int partition, List<String> values) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientProps(Map.of(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.LINGER_MS_CONFIG, "5")))) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (String v : values) {
        acks.add(p.send(new ProducerRecord<>(topic, partition, null, v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      }
      for (java.util.concurrent.Future<?> a : acks) {
        a.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Reads {@code topic} from the beginning with {@code isolation} ({@code read_committed} or
   * {@code read_uncommitted}) until the end offsets that a read at the start of this call sees
   * (the last stable offsets for read_committed), or until {@code timeout}.
   */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation, Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(clientProps(Map.of(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")))) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, timeout).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        boolean done = true;
        for (TopicPartition tp : parts) {
          if (c.position(tp, timeout) < end.get(tp)) {
            done = false;
          }
        }
        if (done) {
          return out;
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      throw new AssertionError("reading " + topic + " did not reach " + end + " within " + timeout);
    }
  }

  /** Values of {@link #readAll} as UTF-8 strings. */
  public List<String> readValues(String topic, String isolation, Duration timeout) {
    List<String> out = new ArrayList<>();
    readAll(topic, isolation, timeout).forEach(r -> out.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  /** Transactions the broker lists as not yet finished (ongoing, or preparing commit or abort). */
  public List<TransactionListing> openTransactions() throws Exception {
    List<TransactionListing> open = new ArrayList<>();
    for (TransactionListing t : admin().listTransactions(new ListTransactionsOptions()).all().get(30, TimeUnit.SECONDS)) {
      if (t.state() == TransactionState.ONGOING || t.state() == TransactionState.PREPARE_COMMIT
          || t.state() == TransactionState.PREPARE_ABORT) {
        open.add(t);
      }
    }
    return open;
  }

  /**
   * Waits until no transaction whose id starts with {@code prefix} is open or being completed
   * (the broker writes the commit or abort markers after the decision), or fails after {@code timeout}
   * naming those still listed.
   */
  public void awaitNoOpenTransactions(String prefix, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<TransactionListing> open = openTransactions();
      open.removeIf(t -> !t.transactionalId().startsWith(prefix));
      if (open.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("transactions still open after " + timeout + ": " + open);
      }
      Thread.sleep(50); // polling the broker's listing: there is no notification to wait on
    }
  }

  public Properties clientProps(Map<String, String> extra) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    p.putAll(extra);
    return p;
  }

  /** Stops the broker but keeps its data and ports, for {@link #restart()}. */
  public synchronized void stop() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts the stopped broker again on the same ports with the same data. */
  public synchronized void restart() {
    if (server == null) {
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static int freePort() throws IOException {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }
}
