package io.eddy.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.Counter;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.eddy.format.Formats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Transactions of the exactly-once Kafka sink on a real broker, driven directly. */
class KafkaExactlyOnceSinkTest {
  static KafkaTestBroker broker;
  private final Vertx vertx = Vertx.vertx();
  private final List<TwoPhaseCommitSinkWriter<String>> writers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start(Map.of("transaction.max.timeout.ms", "120000"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @AfterEach
  void close() throws Exception {
    for (TwoPhaseCommitSinkWriter<String> w : writers) {
      w.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private SinkContext context(int subtask, int parallelism, long intervalMillis) {
    return new SinkContext() {
      public int subtaskIndex() {
        return subtask;
      }

      public int parallelism() {
        return parallelism;
      }

      public String operatorName() {
        return "out";
      }

      public Vertx vertx() {
        return vertx;
      }

      public Counter counter(String name) {
        return new Counter(name);
      }

      public long checkpointIntervalMillis() {
        return intervalMillis;
      }

      public long maxRestartDelayMillis() {
        return 100;
      }
    };
  }

  private KafkaSink<String> sink(String topic, String prefix, Map<String, String> props) {
    KafkaSink.Builder<String> b = KafkaSink.<String>builder().name("out").bootstrapServers(broker.bootstrapServers())
        .topic(topic).format(Formats.string()).deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .transactionalIdPrefix(prefix);
    props.forEach(b::property);
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private TwoPhaseCommitSinkWriter<String> writer(KafkaSink<String> sink, int subtask, int parallelism) throws Exception {
    TwoPhaseCommitSinkWriter<String> w = (TwoPhaseCommitSinkWriter<String>) sink.createWriter(context(subtask, parallelism, 1000));
    writers.add(w);
    return w;
  }

  private List<String> committed(String topic) {
    return broker.readValues(topic, "read_committed", Duration.ofSeconds(30));
  }

  /**
   * What a read_committed reader sees once at least {@code count} values are visible: a commit returns when the
   * coordinator has decided, and the markers that make the records visible follow (30 s at most).
   */
  private List<String> committedOnceVisible(String topic, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> seen = committed(topic);
    while (seen.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50); // polls the condition
      seen = committed(topic);
    }
    return seen;
  }

  @Test
  void aRestoredWriterCommitsWhatItsPredecessorPreCommittedAndAbortsTheRest() throws Exception {
    broker.createTopic("eo", 2);
    KafkaSink<String> sink = sink("eo", "job-a", Map.of());
    TwoPhaseCommitSinkWriter<String> before = writer(sink, 0, 1);
    before.write("a", 1);
    before.write("b", 2);
    String c1 = await(before.preCommit(1));
    before.write("c", 3);
    String c2 = await(before.preCommit(2));
    await(before.commit(List.of(c1)));
    before.write("lost", 4); // after barrier 2: must never become visible
    await(before.preCommit(3)); // pre-committed but never recorded by a completed checkpoint
    before.write("lost too", 5);
    assertThat(committedOnceVisible("eo", 2)).containsExactlyInAnyOrder("a", "b");
    assertThat(broker.openTransactions()).isNotEmpty();

    // a crash: 'before' is abandoned without closing; the job restores checkpoint 2, which recorded c2
    TwoPhaseCommitSinkWriter<String> after = writer(sink, 0, 1);
    await(after.commit(List.of(c2)));
    broker.awaitNoOpenTransactions("job-a-", Duration.ofSeconds(30));
    assertThat(committed("eo")).containsExactlyInAnyOrder("a", "b", "c");
    // and the restored writer works on
    after.write("d", 6);
    String c4 = await(after.preCommit(4));
    await(after.commit(List.of(c4)));
    broker.awaitNoOpenTransactions("job-a-", Duration.ofSeconds(30));
    assertThat(committed("eo")).containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void restoreWithLowerParallelismCleansUpTheTransactionsOfSubtasksThatAreGone() throws Exception {
    broker.createTopic("eo2", 1);
    KafkaSink<String> sink = sink("eo2", "job-b", Map.of());
    List<String> recorded = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TwoPhaseCommitSinkWriter<String> w = writer(sink, i, 3);
      w.write("kept" + i, 1);
      recorded.add(await(w.preCommit(1)));
      w.write("dropped" + i, 2); // open, not recorded
      w.write("dropped" + i + "b", 2);
      await(w.preCommit(2)).length(); // pre-committed, not recorded either
      w.write("open" + i, 3);
    }
    // restore at parallelism 2: every subtask gets every committable (union), each commits its own
    TwoPhaseCommitSinkWriter<String> r0 = writer(sink, 0, 2);
    TwoPhaseCommitSinkWriter<String> r1 = writer(sink, 1, 2);
    Future<Void> f0 = r0.commit(recorded);
    Future<Void> f1 = r1.commit(recorded);
    await(f0);
    await(f1);
    broker.awaitNoOpenTransactions("job-b-", Duration.ofSeconds(30));
    assertThat(committed("eo2")).containsExactlyInAnyOrder("kept0", "kept1", "kept2");
  }

  @Test
  void committingAPreCommittedTransactionAgainIsHarmlessAndAFencedOneIsRefused() throws Exception {
    broker.createTopic("resume", 1);
    Properties props = broker.clientProps(Map.of("transactional.id", "resume-0", "enable.idempotence", "true"));
    KafkaProducer<byte[], byte[]> p = ResumableProducer.create(props);
    p.initTransactions();
    p.beginTransaction();
    p.send(new ProducerRecord<>("resume", "x".getBytes())).get();
    p.flush();
    long id = ResumableProducer.producerId(p);
    short epoch = ResumableProducer.epoch(p);
    // the producer is gone without committing (as in a crash)
    p.close(Duration.ZERO);
    assertThat(committed("resume")).isEmpty();
    Properties base = broker.clientProps(Map.of("enable.idempotence", "true"));
    ResumableProducer.commitPreCommitted(base, "resume-0", id, epoch);
    // the commit returns once the coordinator decided; the markers that let read_committed readers see it follow
    broker.awaitNoOpenTransactions("resume-", Duration.ofSeconds(30));
    assertThat(committed("resume")).containsExactly("x");
    ResumableProducer.commitPreCommitted(base, "resume-0", id, epoch); // again: nothing changes
    broker.awaitNoOpenTransactions("resume-", Duration.ofSeconds(30));
    assertThat(committed("resume")).containsExactly("x");

    // a newer producer of the id fences the old epoch
    try (KafkaProducer<byte[], byte[]> newer = ResumableProducer.create(props)) {
      newer.initTransactions();
    }
    assertThatThrownBy(() -> ResumableProducer.commitPreCommitted(base, "resume-0", id, epoch))
        .isInstanceOfAny(ProducerFencedException.class, org.apache.kafka.common.errors.InvalidProducerEpochException.class);
  }

  @Test
  void aTransactionTimeoutOutsideTheRulesIsRefusedNamingBothValues() throws Exception {
    KafkaSink<String> tooShort = sink("t", "job-c", Map.of("transaction.timeout.ms", "1000"));
    assertThatThrownBy(() -> tooShort.createWriter(context(0, 1, 1000)))
        .hasMessage("kafka sink 'out': transaction.timeout.ms 1000 must be larger than the checkpoint interval 1000 ms "
            + "plus the restart strategy's largest delay 100 ms (1100 ms), or the broker may abort a pre-committed "
            + "transaction before it is committed");

    broker.createTopic("t", 1);
    KafkaSink<String> tooLong = sink("t", "job-c", Map.of("transaction.timeout.ms", "300000"));
    TwoPhaseCommitSinkWriter<String> w = writer(tooLong, 0, 1);
    assertThatThrownBy(() -> await(w.preCommit(1)))
        .hasRootCauseMessage("kafka sink 'out': transaction.timeout.ms 300000 is larger than the broker's transaction.max.timeout.ms 120000");
    assertThatThrownBy(() -> w.write("x", 1)).hasMessage(
        "kafka sink 'out': transaction.timeout.ms 300000 is larger than the broker's transaction.max.timeout.ms 120000");
    assertThat(broker.openTransactions()).isEmpty();
  }
}
