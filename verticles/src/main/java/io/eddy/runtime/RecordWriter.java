package io.eddy.runtime;

import io.eddy.api.function.KeySelector;
import io.eddy.graph.JobEdge;
import io.eddy.state.KeyGroups;

/**
 * Writes the records of one output edge into its channels according to the edge's partitioning.
 * Control elements go to every channel. Confined to the task's event-loop thread.
 */
final class RecordWriter {
  private final JobEdge edge;
  private final OutputChannel[] channels; // by receiving subtask; FORWARD: one
  private final KeySelector<Object, ?> key;
  private final int maxParallelism;
  private final String targetName;
  private int nextChannel;

  @SuppressWarnings("unchecked")
  RecordWriter(JobEdge edge, OutputChannel[] channels, int maxParallelism, int subtask) {
    this.edge = edge;
    this.channels = channels;
    this.key = (KeySelector<Object, ?>) edge.key();
    this.maxParallelism = maxParallelism;
    this.targetName = edge.target().head().name();
    this.nextChannel = subtask % channels.length; // senders start apart, so rebalance stays even
  }

  void write(Object record, long timestamp) {
    try {
      writeToChannels(record, timestamp);
    } catch (io.eddy.serde.SerdeException e) {
      // e.g. a class the job does not carry: fail where it was emitted, naming the operator
      throw new OperatorException("operator '" + edge.producer().name() + "' emitted a record that cannot be sent to '"
          + targetName + "': " + e.getMessage(), e);
    }
  }

  private void writeToChannels(Object record, long timestamp) {
    switch (edge.partitioning()) {
      case FORWARD -> channels[0].add(record, timestamp);
      case HASH -> channels[channelOf(record)].add(record, timestamp);
      case REBALANCE -> {
        channels[nextChannel].add(record, timestamp);
        if (++nextChannel == channels.length) {
          nextChannel = 0;
        }
      }
      case BROADCAST -> {
        for (OutputChannel c : channels) {
          c.add(record, timestamp);
        }
      }
    }
  }

  private int channelOf(Object record) {
    Object k;
    try {
      k = key.getKey(record);
    } catch (Exception e) {
      throw new OperatorException("key selector of operator '" + targetName + "' failed: " + e, e);
    }
    if (k == null) {
      throw new OperatorException(
          "key selector of operator '" + targetName + "' returned null for record " + record, null);
    }
    return KeyGroups.subtaskOf(KeyGroups.keyGroupOf(k, maxParallelism), maxParallelism, channels.length);
  }

  void broadcastControl(Object element) {
    for (OutputChannel c : channels) {
      c.addControl(element);
    }
  }

  OutputChannel[] channels() {
    return channels;
  }
}
