package io.eddy.connectors.kafka;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;

/**
 * The one place that reaches into kafka-clients' internals (3.9.1, pinned in the parent pom).
 *
 * <p>Why: an exactly-once sink pre-commits a transaction at a checkpoint barrier and commits it
 * when the checkpoint completes. If the job fails in between, the restored job must commit that
 * transaction, but its producer is gone, and kafka-clients 3.9 has no public API to commit a
 * transaction of another producer instance: {@code initTransactions()} on the same
 * {@code transactional.id} would abort it instead. The broker accepts the commit from any client
 * that presents the transaction's producer id and epoch, so we read them from a live producer at
 * pre-commit ({@link #producerId()}, {@link #epoch()}) and, after a restore, put them into a fresh
 * producer's transaction manager as {@code initTransactions()} would have, then call
 * {@code commitTransaction()} ({@link #commitPreCommitted}). Flink's Kafka connector does the
 * same. A kafka-clients upgrade must re-check the field and state names used here (the real-broker
 * test {@code ResumableProducerTest} does).
 */
final class ResumableProducer {
  private ResumableProducer() {}

  static KafkaProducer<byte[], byte[]> create(Properties props) {
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static long producerId(KafkaProducer<?, ?> producer) {
    return idAndEpoch(producer).producerId;
  }

  static short epoch(KafkaProducer<?, ?> producer) {
    return idAndEpoch(producer).epoch;
  }

  /**
   * Commits the pre-committed transaction {@code transactionalId} that producer
   * {@code producerId}/{@code epoch} left open. Throws
   * {@link org.apache.kafka.common.errors.ProducerFencedException} or
   * {@link org.apache.kafka.common.errors.InvalidProducerEpochException} when a newer producer with
   * that id has fenced it (then the transaction is no longer open: it was committed, or aborted).
   */
  static void commitPreCommitted(Properties base, String transactionalId, long producerId, short epoch) {
    Properties props = new Properties();
    props.putAll(base);
    props.put("transactional.id", transactionalId);
    try (KafkaProducer<byte[], byte[]> producer = create(props)) {
      Object tm = field(KafkaProducer.class, "transactionManager").get(producer);
      synchronized (tm) {
        Class<?> tmClass = tm.getClass();
        Class<?> state = Class.forName(tmClass.getName() + "$State");
        Method transitionTo = tmClass.getDeclaredMethod("transitionTo", state);
        transitionTo.setAccessible(true);
        transitionTo.invoke(tm, stateNamed(state, "INITIALIZING"));
        Object partitions = field(tmClass, "txnPartitionMap").get(tm);
        Method reset = partitions.getClass().getDeclaredMethod("reset");
        reset.setAccessible(true);
        reset.invoke(partitions);
        field(tmClass, "producerIdAndEpoch").set(tm, new ProducerIdAndEpoch(producerId, epoch));
        transitionTo.invoke(tm, stateNamed(state, "READY"));
        transitionTo.invoke(tm, stateNamed(state, "IN_TRANSACTION"));
        // without it commitTransaction() sends no EndTxn: it believes nothing was written
        field(tmClass, "transactionStarted").set(tm, true);
      }
      producer.commitTransaction();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kafka-clients internals changed; resuming a transaction needs 3.9.x", e);
    }
  }

  private static ProducerIdAndEpoch idAndEpoch(KafkaProducer<?, ?> producer) {
    try {
      Object tm = field(KafkaProducer.class, "transactionManager").get(producer);
      return (ProducerIdAndEpoch) field(tm.getClass(), "producerIdAndEpoch").get(tm);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kafka-clients internals changed; reading a producer's id needs 3.9.x", e);
    }
  }

  private static Field field(Class<?> c, String name) throws NoSuchFieldException {
    Field f = c.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object stateNamed(Class<?> state, String name) {
    return Enum.valueOf((Class) state, name);
  }
}
