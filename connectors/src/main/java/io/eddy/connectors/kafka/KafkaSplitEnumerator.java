package io.eddy.connectors.kafka;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.SourceSplit;
import io.eddy.connector.SplitEnumerator;
import io.eddy.connector.SplitEnumeratorContext;
import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.admin.TopicDescription;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.common.TopicPartitionInfo;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the partitions of a {@link KafkaSource}'s topics (at start, then every
 * {@code partitionDiscoveryMillis} for an endless source), resolves where each new one starts
 * (and, bounded, stops) and hands it to reader {@code (topic hash * 31 + partition) mod p}. Runs on
 * the coordinator's event loop; every broker call goes through the asynchronous Vert.x admin
 * client, whose results come back on that loop. A broker that does not answer, or a listed topic
 * that does not exist, fails the job with a message naming them.
 */
final class KafkaSplitEnumerator implements SplitEnumerator {
  private final KafkaSource<?> source;
  private final SplitEnumeratorContext context;
  private final Map<String, KafkaSplit> assigned = new LinkedHashMap<>();
  private final List<KafkaSplit> restored = new ArrayList<>();
  private KafkaAdminClient admin;
  private long timer = -1;
  private boolean discovering;
  private boolean closed;

  KafkaSplitEnumerator(KafkaSource<?> source, SplitEnumeratorContext context, List<SourceSplit> restored) {
    this.source = source;
    this.context = context;
    restored.forEach(s -> this.restored.add((KafkaSplit) s));
  }

  @Override
  public void start() {
    admin = KafkaAdminClient.create(context.vertx(), source.clientProperties());
    // the checkpoint's splits go out again first: the new readers resume them from their positions
    handOut(restored);
    if (source.bounded != null && !restored.isEmpty()) {
      noMoreSplits(); // a bounded source's partitions were fixed when it first started
      return;
    }
    discover();
    if (source.bounded == null && source.partitionDiscoveryMillis > 0) {
      timer = context.vertx().setPeriodic(source.partitionDiscoveryMillis, t -> discover());
    }
  }

  @Override
  public List<SourceSplit> snapshotState(long checkpointId) {
    return new ArrayList<>(assigned.values());
  }

  @Override
  public void close() {
    closed = true;
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    if (admin != null) {
      admin.close();
    }
  }

  private void discover() {
    if (discovering || closed) {
      return;
    }
    discovering = true;
    topicNames()
        .compose(names -> names.isEmpty() ? Future.succeededFuture(Map.<String, TopicDescription>of())
            : admin.describeTopics(new ArrayList<>(names)))
        .compose(this::newSplits)
        .onComplete(ar -> {
          discovering = false;
          if (closed) {
            return;
          }
          if (ar.failed()) {
            context.fail(ar.cause() instanceof ConnectorException ? ar.cause()
                : new ConnectorException("kafka source '" + source.name + "': " + describeFailure(ar.cause()), ar.cause()));
            return;
          }
          handOut(ar.result());
          if (source.bounded != null) {
            noMoreSplits();
          }
        });
  }

  private Future<Set<String>> topicNames() {
    return admin.listTopics().compose(existing -> {
      Set<String> names = new TreeSet<>();
      if (source.topics != null) {
        for (String t : source.topics) {
          if (!existing.contains(t)) {
            return Future.failedFuture(new ConnectorException("kafka source '" + source.name + "': topic '" + t
                + "' does not exist on " + source.bootstrapServers));
          }
          names.add(t);
        }
      } else {
        existing.stream().filter(t -> source.topicPattern.matcher(t).matches()).forEach(names::add);
      }
      return Future.succeededFuture(names);
    });
  }

  /** The partitions not handed out yet, with their start (and stop) offsets resolved. */
  private Future<List<KafkaSplit>> newSplits(Map<String, TopicDescription> topics) {
    List<TopicPartition> fresh = new ArrayList<>();
    topics.values().forEach(d -> {
      for (TopicPartitionInfo p : d.getPartitions()) {
        if (!assigned.containsKey(d.getName() + "-" + p.getPartition())) {
          fresh.add(new TopicPartition(d.getName(), p.getPartition()));
        }
      }
    });
    if (fresh.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Future<Map<TopicPartition, Long>> stops = source.bounded == null ? Future.succeededFuture(Map.of())
        : offsets(fresh, OffsetSpec.LATEST).map(latest -> {
          Map<TopicPartition, Long> out = new HashMap<>(latest);
          if (source.bounded.stopOffsets() != null) {
            source.bounded.stopOffsets().forEach((id, offset) -> fresh.stream()
                .filter(tp -> id.equals(idOf(tp))).forEach(tp -> out.put(tp, offset)));
          }
          return out;
        });
    return startOffsets(fresh, source.starting).compose(starts -> stops.map(stop -> {
      List<KafkaSplit> splits = new ArrayList<>();
      for (TopicPartition tp : fresh) {
        splits.add(new KafkaSplit(tp.getTopic(), tp.getPartition(), starts.get(tp),
            stop.getOrDefault(tp, KafkaSplit.UNBOUNDED)));
      }
      return splits;
    }));
  }

  private Future<Map<TopicPartition, Long>> startOffsets(List<TopicPartition> parts, StartingOffsets how) {
    if (how instanceof StartingOffsets.Earliest) {
      return offsets(parts, OffsetSpec.EARLIEST);
    }
    if (how instanceof StartingOffsets.Latest) {
      return offsets(parts, OffsetSpec.LATEST);
    }
    if (how instanceof StartingOffsets.Timestamp t) {
      // no record at or after the time: start at the end
      return offsets(parts, OffsetSpec.TIMESTAMP(t.epochMillis())).compose(at -> {
        List<TopicPartition> none = parts.stream().filter(tp -> at.get(tp) < 0).toList();
        return none.isEmpty() ? Future.succeededFuture(at) : offsets(none, OffsetSpec.LATEST).map(end -> {
          Map<TopicPartition, Long> out = new HashMap<>(at);
          out.putAll(end);
          return out;
        });
      });
    }
    if (how instanceof StartingOffsets.Committed c) {
      return admin.listConsumerGroupOffsets(source.groupId).compose(committed -> {
        Map<TopicPartition, Long> out = new HashMap<>();
        List<TopicPartition> rest = new ArrayList<>();
        for (TopicPartition tp : parts) {
          OffsetAndMetadata o = committed.get(tp);
          if (o != null && o.getOffset() >= 0) {
            out.put(tp, o.getOffset());
          } else {
            rest.add(tp);
          }
        }
        return rest.isEmpty() ? Future.succeededFuture(out) : startOffsets(rest, c.fallback()).map(f -> {
          out.putAll(f);
          return out;
        });
      });
    }
    StartingOffsets.Explicit e = (StartingOffsets.Explicit) how;
    Map<TopicPartition, Long> out = new HashMap<>();
    List<TopicPartition> rest = new ArrayList<>();
    for (TopicPartition tp : parts) {
      Long o = e.offsets().get(idOf(tp));
      if (o != null) {
        out.put(tp, o);
      } else {
        rest.add(tp);
      }
    }
    return rest.isEmpty() ? Future.succeededFuture(out) : startOffsets(rest, e.fallback()).map(f -> {
      out.putAll(f);
      return out;
    });
  }

  private Future<Map<TopicPartition, Long>> offsets(List<TopicPartition> parts, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    parts.forEach(tp -> ask.put(tp, spec));
    return admin.listOffsets(ask).map(result -> {
      Map<TopicPartition, Long> out = new HashMap<>();
      for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : result.entrySet()) {
        out.put(e.getKey(), e.getValue().getOffset());
      }
      return out;
    });
  }

  private void handOut(List<KafkaSplit> splits) {
    if (splits.isEmpty()) {
      return;
    }
    Map<Integer, List<KafkaSplit>> byOwner = new HashMap<>();
    for (KafkaSplit s : splits) {
      if (assigned.putIfAbsent(s.id(), s) == null) {
        byOwner.computeIfAbsent(ownerOf(s), k -> new ArrayList<>()).add(s);
      }
    }
    byOwner.forEach(context::assignSplits);
  }

  private void noMoreSplits() {
    for (int i = 0; i < context.parallelism(); i++) {
      context.signalNoMoreSplits(i);
    }
  }

  private int ownerOf(KafkaSplit s) {
    return Math.floorMod(s.topic().hashCode() * 31 + s.partition(), context.parallelism());
  }

  private static String idOf(TopicPartition tp) {
    return tp.getTopic() + "-" + tp.getPartition();
  }

  private String describeFailure(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "the brokers at " + source.bootstrapServers + " did not answer within " + source.requestTimeoutMillis
          + " ms (" + root.getMessage() + ")";
    }
    return "cannot read " + source.describeTopics() + " from " + source.bootstrapServers + ": " + root;
  }
}
