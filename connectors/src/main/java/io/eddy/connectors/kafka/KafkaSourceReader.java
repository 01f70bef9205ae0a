package io.eddy.connectors.kafka;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.format.FormatException;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the partitions assigned to one subtask with a Vert.x Kafka consumer (manual assignment,
 * no group membership). It keeps at most two batches ({@code max.poll.records}, default 500,
 * each): the one being emitted and the next, fetched meanwhile; it asks for another only when
 * one has been emitted. A back-pressured task stops emitting, so it stops polling, and a consumer
 * that is not polled sends no fetch: every partition pauses, and at most two batches (plus the
 * client's own bounded fetch buffer) wait in memory.
 *
 * <p>Positions are the next offset to emit per partition; a bounded partition is done when its
 * position reaches its stop offset (asked of the consumer, since transaction markers take
 * offsets no record has).
 */
final class KafkaSourceReader<T> implements SourceReader<T> {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int KEPT_SNAPSHOTS = 32;

  private final KafkaSource<T> source;
  private final SourceReaderContext context;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, Partition> partitions = new LinkedHashMap<>();
  private final List<String> announce = new ArrayList<>(); // splits the watermark operator should know
  private final List<String> announceFinished = new ArrayList<>(); // and those found finished outside a poll
  private final TreeMap<Long, Map<TopicPartition, Long>> snapshots = new TreeMap<>(); // by checkpoint, to commit
  private Iterator<ConsumerRecord<byte[], byte[]>> batch; // being emitted
  private Iterator<ConsumerRecord<byte[], byte[]>> next; // fetched while it is
  private boolean fetching;
  private io.vertx.core.Future<?> seeking = io.vertx.core.Future.succeededFuture();
  private boolean checkingEnds;
  private boolean noMoreSplits;
  private Throwable failure;
  private String currentSplit;

  private static final class Partition {
    final KafkaSplit split;
    long next; // the next offset to emit
    boolean done;

    Partition(KafkaSplit split, long next) {
      this.split = split;
      this.next = next;
    }
  }

  KafkaSourceReader(KafkaSource<T> source, SourceReaderContext context) {
    this.source = source;
    this.context = context;
    Map<String, String> config = new HashMap<>();
    config.put("isolation.level", "read_committed");
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "none"); // every position is explicit; a gap is an error, not a silent jump
    config.putAll(source.clientProperties());
    if (source.groupId != null) {
      config.put("group.id", source.groupId);
    }
    consumer = KafkaConsumer.create(context.vertx(), config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void addSplits(List<SourceSplit> splits) {
    addSplits(splits, Map.of());
  }

  @Override
  public void addSplits(List<SourceSplit> splits, Map<String, String> positions) {
    List<TopicPartition> added = new ArrayList<>();
    for (SourceSplit s : splits) {
      KafkaSplit k = (KafkaSplit) s;
      TopicPartition tp = new TopicPartition(k.topic(), k.partition());
      if (partitions.containsKey(tp)) {
        continue;
      }
      String pos = positions.get(k.id());
      Partition p = new Partition(k, pos == null || pos.equals("done") ? k.startOffset() : Long.parseLong(pos));
      p.done = "done".equals(pos) || (k.bounded() && p.next >= k.stopOffset());
      partitions.put(tp, p);
      announce.add(k.id());
      if (p.done) {
        announceFinished.add(k.id());
      } else {
        added.add(tp);
      }
    }
    if (!added.isEmpty()) {
      reassign();
      // the Vert.x consumer queues a seek through the event loop, but a poll straight onto its
      // thread: no poll may start before the seeks are done, or it would read from no position
      List<io.vertx.core.Future<Void>> seeks = new ArrayList<>();
      added.forEach(tp -> seeks.add(consumer.seek(tp, partitions.get(tp).next)));
      seeking = io.vertx.core.Future.all(seeks).onComplete(ar -> {
        if (ar.failed() && failure == null) {
          failure = ar.cause();
        }
        context.wakeUp();
      });
    }
  }

  @Override
  public void noMoreSplits() {
    noMoreSplits = true;
    context.wakeUp();
  }

  @Override
  public InputStatus pollNext(SourceOutput<T> output, int maxRecords) {
    if (failure != null) {
      throw failure instanceof ConnectorException c ? c
          : new ConnectorException("kafka source '" + source.name + "': reading " + source.describeTopics()
              + " from " + source.bootstrapServers + " failed: " + failure, failure);
    }
    if (!announce.isEmpty()) {
      // an assigned partition holds event time back until it has records or turns idle
      announce.forEach(output::split);
      announce.clear();
      currentSplit = null;
    }
    if (!announceFinished.isEmpty()) {
      announceFinished.forEach(output::splitFinished);
      announceFinished.clear();
    }
    int emitted = 0;
    while (batch != null && batch.hasNext() && emitted < maxRecords) {
      ConsumerRecord<byte[], byte[]> r = batch.next();
      Partition p = partitions.get(new TopicPartition(r.topic(), r.partition()));
      if (p == null || p.done || r.offset() < p.next) {
        continue;
      }
      if (p.split.bounded() && r.offset() >= p.split.stopOffset()) {
        finish(p, output);
        continue;
      }
      if (!p.split.id().equals(currentSplit)) {
        currentSplit = p.split.id();
        output.split(currentSplit);
      }
      p.next = r.offset() + 1;
      emit(r, output);
      emitted++;
      if (p.split.bounded() && p.next >= p.split.stopOffset()) {
        finish(p, output);
      }
    }
    if (batch != null && batch.hasNext()) {
      fetch(); // the next batch comes while this one is emitted
      return InputStatus.MORE_AVAILABLE;
    }
    batch = next;
    next = null;
    if (batch != null) {
      fetch();
      return InputStatus.MORE_AVAILABLE;
    }
    if (noMoreSplits && partitions.values().stream().allMatch(p -> p.done)) {
      return InputStatus.END_OF_INPUT;
    }
    fetch();
    return emitted > 0 ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
  }

  private void emit(ConsumerRecord<byte[], byte[]> r, SourceOutput<T> output) {
    if (r.value() == null) {
      context.badRecord(where(r), null, "the record has no value");
      return;
    }
    T value;
    try {
      value = source.format.deserialize(r.value());
    } catch (FormatException e) {
      context.badRecord(where(r), r.value(), source.format.name() + ": " + e.reason());
      return;
    }
    if (value != null) {
      output.collect(value, r.timestamp());
    }
  }

  private static String where(ConsumerRecord<?, ?> r) {
    return "topic " + r.topic() + " partition " + r.partition() + " offset " + r.offset();
  }

  private void finish(Partition p, SourceOutput<T> output) {
    p.done = true;
    output.splitFinished(p.split.id());
    reassign();
  }

  private void reassign() {
    Set<TopicPartition> live = new HashSet<>();
    partitions.forEach((tp, p) -> {
      if (!p.done) {
        live.add(tp);
      }
    });
    consumer.assign(live);
  }

  /** One poll at a time, and only while at most one batch waits to be emitted. */
  private void fetch() {
    if (fetching || next != null || !seeking.isComplete()) {
      return;
    }
    if (partitions.values().stream().allMatch(p -> p.done)) {
      return; // nothing assigned to read: the next assignment or noMoreSplits wakes the task
    }
    fetching = true;
    consumer.poll(POLL).onComplete(ar -> {
      fetching = false;
      if (ar.failed()) {
        failure = ar.cause();
      } else {
        ConsumerRecords<byte[], byte[]> records = ar.result().records();
        if (records.isEmpty()) {
          checkBoundedEnds();
        } else {
          if (batch == null) {
            batch = records.iterator();
          } else {
            next = records.iterator();
          }
        }
      }
      context.wakeUp();
    });
  }

  /**
   * A bounded partition whose last offsets are transaction markers (or aborted records) never
   * returns a record at its stop offset: it is done when the consumer's position passes it.
   */
  private void checkBoundedEnds() {
    if (checkingEnds) {
      return;
    }
    List<TopicPartition> open = new ArrayList<>();
    partitions.forEach((tp, p) -> {
      if (!p.done && p.split.bounded()) {
        open.add(tp);
      }
    });
    if (open.isEmpty()) {
      return;
    }
    checkingEnds = true;
    List<io.vertx.core.Future<Long>> asked = new ArrayList<>();
    open.forEach(tp -> asked.add(consumer.position(tp)));
    io.vertx.core.Future.join(asked).onComplete(ar -> {
      checkingEnds = false;
      for (int i = 0; i < open.size(); i++) {
        Partition p = partitions.get(open.get(i));
        if (asked.get(i).succeeded() && !p.done && batch == null && next == null && asked.get(i).result() >= p.split.stopOffset()) {
          p.done = true;
          p.next = Math.max(p.next, p.split.stopOffset());
          announceFinished.add(p.split.id());
        }
      }
      if (!announceFinished.isEmpty()) {
        reassign();
      }
      context.wakeUp();
    });
  }

  @Override
  public Map<String, String> snapshotPositions() {
    Map<String, String> out = new LinkedHashMap<>();
    partitions.values().forEach(p -> out.put(p.split.id(), p.done ? "done" : String.valueOf(p.next)));
    return out;
  }

  @Override
  public Map<String, String> snapshotPositions(long checkpointId) {
    if (source.groupId != null) {
      Map<TopicPartition, Long> offsets = new HashMap<>();
      partitions.forEach((tp, p) -> offsets.put(tp, p.next));
      snapshots.put(checkpointId, offsets);
      while (snapshots.size() > KEPT_SNAPSHOTS) {
        snapshots.pollFirstEntry(); // checkpoints that never completed
      }
    }
    return snapshotPositions();
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    Map<TopicPartition, Long> offsets = snapshots.get(checkpointId);
    snapshots.headMap(checkpointId, true).clear();
    if (offsets == null || offsets.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o, "")));
    // for monitoring only: the checkpoint holds the positions that count, so a failure is not fatal
    consumer.commit(commit).onFailure(e -> context.counter("offsetCommitFailures").inc());
  }

  @Override
  public void close() {
    consumer.close();
  }
}
