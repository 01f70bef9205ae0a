package io.eddy.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaTestBrokerTest {
  static KafkaTestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void producesReadsAndSeesOpenTransactions() throws Exception {
    broker.createTopic("t1", 2);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      values.add("v" + i);
    }
    broker.produce("t1", 1, values);
    assertThat(broker.readValues("t1", "read_committed", Duration.ofSeconds(30))).containsExactlyElementsOf(values);

    try (KafkaProducer<String, String> p = new KafkaProducer<>(broker.clientProps(Map.of(
        "transactional.id", "probe-0", "key.serializer", StringSerializer.class.getName(),
        "value.serializer", StringSerializer.class.getName())))) {
      p.initTransactions();
      p.beginTransaction();
      p.send(new ProducerRecord<>("t1", 0, null, "open")).get();
      assertThat(broker.openTransactions()).extracting(t -> t.transactionalId()).containsExactly("probe-0");
      assertThat(broker.readValues("t1", "read_uncommitted", Duration.ofSeconds(30))).contains("open");
      p.abortTransaction();
    }
    broker.awaitNoOpenTransactions("probe-", Duration.ofSeconds(30));
    assertThat(broker.readValues("t1", "read_committed", Duration.ofSeconds(30))).doesNotContain("open");
  }
}
