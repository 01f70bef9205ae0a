package io.eddy.connectors.kafka;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.eddy.connector.WorkInFlight;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * The {@code exactly-once} writer: Kafka transactions committed with the job's checkpoints.
 *
 * <p>Transactional ids are {@code <prefix>-<subtask>-<slot>}; a subtask keeps a small pool of
 * producers (slots) so that a new transaction rarely waits for {@code initTransactions}. At a
 * barrier the open transaction is flushed and its id, producer id and epoch become the committable
 * (see {@link ResumableProducer}); writing goes on in another slot. A slot is used again only
 * after a checkpoint later than the one that recorded its last transaction has completed, so a
 * restore never resumes an id whose producer has since opened another transaction.
 *
 * <p>Restore: the sink operator hands every subtask the committables of the whole checkpoint
 * ({@link #committablesToEverySubtask()}); subtask {@code j} of {@code p} owns the ids whose
 * subtask number {@code s} has {@code s mod p == j}: it commits the recorded ones it owns, then
 * aborts every other open transaction it owns (by {@code initTransactions} on that id, which fences
 * and aborts), before its first new transaction. So after any crash no transaction of the job
 * stays open, and none is aborted by one subtask while another commits it.
 *
 * <p>Every producer call runs on one worker thread of its own (kafka-clients blocks:
 * {@code initTransactions}, {@code flush}, {@code commitTransaction}); the event loop only batches
 * records and hands them over, in order.
 */
final class KafkaExactlyOnceWriter<T> implements TwoPhaseCommitSinkWriter<T> {
  private static final int BATCH = 512;

  private final KafkaSink<T> sink;
  private final int subtask;
  private final int parallelism;
  private final String idPrefix; // "<prefix>-"
  private final WorkerExecutor worker;
  private final Properties base;
  private List<ProducerRecord<byte[], byte[]>> buffer = new ArrayList<>(BATCH);
  private Future<?> last = Future.succeededFuture();
  private boolean initialized;
  /** Batches handed to the writer's thread and not yet sent to the producer: bounded, see {@link #backPressure}. */
  static final int MAX_BATCHES_IN_FLIGHT = 4;
  private final WorkInFlight batchesInFlight = new WorkInFlight(MAX_BATCHES_IN_FLIGHT);
  private volatile Throwable failure; // set on the worker, read on the event loop
  private List<String> finalCommittables = List.of();

  private static final java.util.concurrent.atomic.AtomicLong WRITERS = new java.util.concurrent.atomic.AtomicLong();
  /** Every producer of the slots, for {@link #close} on any thread (a KafkaProducer may be closed from any). */
  private final Set<KafkaProducer<byte[], byte[]>> producers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed; // no producer call starts after close

  // worker thread only
  private final Map<Integer, KafkaProducer<byte[], byte[]>> slots = new HashMap<>();
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private final Map<Integer, Long> heldUntilAfter = new HashMap<>(); // slot -> checkpoint that must be passed
  private final Map<String, Integer> pendingSlot = new HashMap<>(); // transactional id -> its slot, pre-committed
  private int current = -1; // slot of the open transaction
  private long recordsInTransaction;
  private long highestBarrier;

  KafkaExactlyOnceWriter(KafkaSink<T> sink, SinkContext context) {
    this.sink = sink;
    this.subtask = context.subtaskIndex();
    this.parallelism = context.parallelism();
    this.idPrefix = sink.transactionalIdPrefix + "-";
    // a thread of its own: a writer of the next attempt must not queue behind a call of this one that still waits for
    // a broker that is gone
    this.worker = context.vertx().createSharedWorkerExecutor("eddy-kafka-sink-" + sink.transactionalIdPrefix + "-"
        + subtask + "-" + WRITERS.incrementAndGet(), 1);
    this.base = sink.producerProperties();
    base.put("enable.idempotence", "true");
    base.put("transaction.timeout.ms", String.valueOf(sink.transactionTimeoutMillis()));
  }

  @Override
  public boolean committablesToEverySubtask() {
    return true;
  }

  /** Runs {@code work} on the writer's thread after everything handed over before it. */
  private <R> Future<R> onWorker(java.util.concurrent.Callable<R> work) {
    Future<R> f = last.transform(ignored -> worker.executeBlocking(() -> {
      if (failure != null) {
        throw asException(failure);
      }
      if (closed) {
        throw new IllegalStateException("kafka sink writer of subtask " + subtask + " is closed");
      }
      try {
        return work.call();
      } catch (Throwable e) {
        failure = e;
        throw e;
      }
    }, true));
    last = f;
    return f;
  }

  private static Exception asException(Throwable t) {
    return t instanceof Exception e ? e : new RuntimeException(t);
  }

  private void initialize(List<String> recorded) {
    if (!initialized) {
      initialized = true;
      List<String> copy = List.copyOf(recorded);
      onWorker(() -> {
        restore(copy);
        return null;
      });
    }
  }

  @Override
  public void write(T record, long timestamp) throws Exception {
    initialize(List.of());
    if (failure != null) {
      throw failureException();
    }
    buffer.add(sink.serializer.serialize(record, timestamp));
    if (buffer.size() >= BATCH) {
      hand();
    }
  }

  private ConnectorException failureException() {
    Throwable f = failure;
    return f instanceof ConnectorException c ? c
        : new ConnectorException("kafka sink '" + sink.name + "': " + f, f);
  }

  private void hand() {
    List<ProducerRecord<byte[], byte[]>> batch = buffer;
    buffer = new ArrayList<>(BATCH);
    batchesInFlight.started();
    onWorker(() -> {
      KafkaProducer<byte[], byte[]> p = openTransaction();
      for (ProducerRecord<byte[], byte[]> r : batch) {
        p.send(r, (meta, e) -> {
          if (e != null && failure == null) {
            failure = new ConnectorException("kafka sink '" + sink.name + "': writing to topic '" + r.topic() + "' failed: " + e, e);
          }
        });
      }
      recordsInTransaction += batch.size();
      return null;
    }).onComplete(ar -> batchesInFlight.finished()); // on the task's event loop, as every call here
  }

  /** Full while {@value #MAX_BATCHES_IN_FLIGHT} batches wait for the writer's thread. */
  @Override
  public Future<Void> backPressure() {
    return batchesInFlight.backPressure();
  }

  @Override
  public Future<String> preCommit(long checkpointId) {
    initialize(List.of());
    if (!buffer.isEmpty()) {
      hand();
    }
    return onWorker(() -> endTransaction(checkpointId));
  }

  /** Flushes the open transaction and names it; "" when it holds nothing. Worker thread. */
  private String endTransaction(long checkpointId) {
    highestBarrier = Math.max(highestBarrier, checkpointId);
    if (current < 0 || recordsInTransaction == 0) {
      return ""; // nothing written since the last barrier: no transaction to commit
    }
    KafkaProducer<byte[], byte[]> p = slots.get(current);
    p.flush();
    if (failure != null) {
      throw failureException();
    }
    String id = transactionalId(current);
    String committable = new JsonObject().put("id", id).put("producerId", ResumableProducer.producerId(p))
        .put("epoch", ResumableProducer.epoch(p)).put("checkpoint", checkpointId).encode();
    pendingSlot.put(id, current);
    current = -1;
    recordsInTransaction = 0;
    return committable;
  }

  @Override
  public Future<Void> commit(List<String> committables) {
    if (!initialized) {
      // the first call after a restore: the checkpoint's committables, committed by the restore
      initialize(committables);
      return last.mapEmpty();
    }
    return onWorker(() -> {
      long highest = -1;
      for (String c : committables) {
        if (c.isEmpty()) {
          continue;
        }
        JsonObject t = new JsonObject(c);
        highest = Math.max(highest, t.getLong("checkpoint"));
        commitOne(t);
      }
      releaseSlots(highest);
      return null;
    }).mapEmpty();
  }

  /** Worker thread. */
  private void commitOne(JsonObject t) {
    String id = t.getString("id");
    Integer slot = pendingSlot.remove(id);
    if (slot != null) {
      slots.get(slot).commitTransaction();
      heldUntilAfter.put(slot, highestBarrier); // a checkpoint taken before this commit still records it
      return;
    }
    if (!owns(id)) {
      return; // another subtask commits it
    }
    try {
      ResumableProducer.commitPreCommitted(base, id, t.getLong("producerId"), t.getInteger("epoch").shortValue());
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      // a newer producer of this id exists: only our own restore creates one, after committing: done before
    }
  }

  /** Slots whose last transaction no restorable checkpoint records any more become free. Worker thread. */
  private void releaseSlots(long completedCheckpoint) {
    heldUntilAfter.entrySet().removeIf(e -> {
      if (e.getValue() < completedCheckpoint) {
        free.add(e.getKey());
        return true;
      }
      return false;
    });
  }

  /** The open transaction's producer, opening one in a free (or new) slot. Worker thread. */
  private KafkaProducer<byte[], byte[]> openTransaction() {
    if (current >= 0) {
      return slots.get(current);
    }
    Integer slot = free.poll();
    if (slot == null) {
      slot = slots.size();
      Properties props = new Properties();
      props.putAll(base);
      props.put("transactional.id", transactionalId(slot));
      KafkaProducer<byte[], byte[]> p = ResumableProducer.create(props);
      producers.add(p);
      if (closed) { // closed while it was being created: close() may have missed it
        closeProducers();
        throw new IllegalStateException("kafka sink writer of subtask " + subtask + " is closed");
      }
      slots.put(slot, p);
      p.initTransactions();
    }
    slots.get(slot).beginTransaction();
    current = slot;
    return slots.get(slot);
  }

  private String transactionalId(int slot) {
    return idPrefix + subtask + "-" + slot;
  }

  /** True for an id {@code <prefix>-<s>-<n>} with {@code s mod p == subtask}. */
  private boolean owns(String id) {
    if (!id.startsWith(idPrefix)) {
      return false;
    }
    String[] parts = id.substring(idPrefix.length()).split("-");
    if (parts.length != 2) {
      return false;
    }
    try {
      int s = Integer.parseInt(parts[0]);
      Integer.parseInt(parts[1]);
      return s % parallelism == subtask;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Before the first transaction (worker thread): checks {@code transaction.timeout.ms} against
   * the broker, commits the restored transactions this subtask owns and aborts every other open
   * transaction it owns.
   */
  private void restore(List<String> recorded) throws Exception {
    Properties adminProps = new Properties();
    adminProps.put("bootstrap.servers", sink.bootstrapServers);
    adminProps.put("request.timeout.ms", String.valueOf(sink.requestTimeoutMillis));
    adminProps.put("default.api.timeout.ms", String.valueOf(sink.requestTimeoutMillis));
    sink.properties.forEach((k, v) -> {
      if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
        adminProps.put(k, v);
      }
    });
    try (Admin admin = Admin.create(adminProps)) {
      checkBrokerTimeout(admin);
      Set<String> done = new HashSet<>();
      for (String c : recorded) {
        if (!c.isEmpty()) {
          JsonObject t = new JsonObject(c);
          commitOne(t);
          done.add(t.getString("id"));
        }
      }
      for (TransactionListing t : admin.listTransactions().all().get(sink.requestTimeoutMillis, TimeUnit.MILLISECONDS)) {
        if (t.state() == TransactionState.ONGOING && owns(t.transactionalId()) && !done.contains(t.transactionalId())) {
          abortLingering(t.transactionalId());
        }
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ConnectorException("kafka sink '" + sink.name + "': the brokers at " + sink.bootstrapServers
          + " did not answer within " + sink.requestTimeoutMillis + " ms (" + cause + ")", cause);
    }
  }

  private void checkBrokerTimeout(Admin admin) throws Exception {
    String brokerId = String.valueOf(admin.describeCluster().nodes().get(sink.requestTimeoutMillis, TimeUnit.MILLISECONDS)
        .iterator().next().id());
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, brokerId);
    Config config = admin.describeConfigs(List.of(broker)).all().get(sink.requestTimeoutMillis, TimeUnit.MILLISECONDS).get(broker);
    long max = Long.parseLong(config.get("transaction.max.timeout.ms").value());
    long timeout = sink.transactionTimeoutMillis();
    if (timeout > max) {
      throw new ConnectorException("kafka sink '" + sink.name + "': transaction.timeout.ms " + timeout
          + " is larger than the broker's transaction.max.timeout.ms " + max);
    }
  }

  /** Fences a previous producer of {@code id} and aborts its open transaction. Worker thread. */
  private void abortLingering(String id) {
    Properties props = new Properties();
    props.putAll(base);
    props.put("transactional.id", id);
    try (KafkaProducer<byte[], byte[]> p = ResumableProducer.create(props)) {
      p.initTransactions();
    }
  }

  @Override
  public Future<Void> finish() {
    initialize(List.of());
    if (!buffer.isEmpty()) {
      hand();
    }
    return onWorker(() -> endTransaction(Long.MAX_VALUE)).map(c -> {
      finalCommittables = c.isEmpty() ? List.of() : List.of(c);
      return null;
    });
  }

  @Override
  public List<String> finalCommittables() {
    return finalCommittables;
  }

  /**
   * Pre-committed transactions stay open for the restore to commit; the unfinished one is aborted once the last call
   * handed to the writer's thread has ended, then every producer is closed. That happens on a thread of its own, not
   * on the Vert.x pool: a writer closes when its task stops, often as its Vert.x instance closes, and a pool that is
   * shutting down may never run queued work, which left a finished job's producers running. If the last call has not
   * ended within {@link #CLOSE_WAIT_SECONDS} (a broker that is gone), the producers are closed anyway, which ends it:
   * the restore aborts what is left open ({@code initTransactions} on each id fences and aborts).
   */
  @Override
  public void close() {
    closed = true;
    Future<?> prior = last;
    Thread closing = new Thread(() -> {
      try {
        try {
          prior.toCompletionStage().toCompletableFuture().get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException failed) {
          // the last call failed but has ended: aborting is still worth a try
        }
        abortOpenTransaction(); // after the last call: it sees what that call left, and nothing runs after it
      } catch (java.util.concurrent.TimeoutException stillRunning) {
        // closing the producers ends that call
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        closeProducers();
        worker.close();
      }
    }, "eddy-kafka-sink-close-" + idPrefix + subtask);
    closing.setDaemon(true);
    closing.start();
  }

  /** How long {@link #close} waits for the call in progress before it closes the producers under it. */
  static final long CLOSE_WAIT_SECONDS = 10;

  private void abortOpenTransaction() {
    if (current >= 0 && producers.contains(slots.get(current))) {
      try {
        slots.get(current).abortTransaction();
      } catch (RuntimeException e) {
        // fenced or the broker is gone: the restore aborts it
      }
    }
  }

  private void closeProducers() {
    for (KafkaProducer<byte[], byte[]> p : producers) {
      if (producers.remove(p)) {
        try {
          p.close(Duration.ZERO);
        } catch (RuntimeException e) {
          // closing is all that is left to do with it
        }
      }
    }
  }
}
