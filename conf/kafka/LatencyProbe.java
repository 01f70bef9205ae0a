import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic with read_committed from its end until {@code count} records arrived (or a
 * timeout) and prints the p50/p99/max of (arrival time - record timestamp): the end-to-end latency
 * from event creation in the producer to a transactional reader. Run with the Java source launcher:
 * {@code java -cp 'conf/kafka/target/kafka-lib/*' conf/kafka/LatencyProbe.java <servers> <topic> <count> <timeoutSeconds>}.
 */
public class LatencyProbe {
  public static void main(String[] args) {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    long deadline = System.currentTimeMillis() + 1000L * Long.parseLong(args[3]);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position);
      System.out.println("probe ready");
      long[] lat = new long[count];
      int n = 0;
      while (n < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          if (n < count) {
            lat[n++] = System.currentTimeMillis() - r.timestamp();
          }
        }
      }
      long[] got = Arrays.copyOf(lat, n);
      Arrays.sort(got);
      if (n == 0) {
        System.out.println("latency: no records");
        return;
      }
      System.out.printf("latency over %d records: p50 %d ms, p99 %d ms, max %d ms%n",
          n, got[n / 2], got[Math.min(n - 1, (int) (n * 0.99))], got[n - 1]);
    }
  }
}
