package io.eddy.graph;

import io.eddy.api.function.KeySelector;

/**
 * An exchange between two vertices. {@link #inputIndex} is its position among the target's inputs
 * (a union has several). {@code producer} is the transform whose output feeds the edge: the
 * source vertex's tail for its main output, or any transform of its chain for a side output
 * ({@code sideTag} set). The receiver of subtask {@code j} has one input channel per sending
 * subtask, except for {@link Partitioning#FORWARD}, where only subtask {@code j} sends to it.
 * {@code recordType} is the type of its records, {@code keyType} that of its keys (null unless hashed).
 */
public record JobEdge(
    int id,
    JobVertex source,
    JobVertex target,
    int inputIndex,
    Partitioning partitioning,
    KeySelector<?, ?> key,
    Transform producer,
    String sideTag,
    java.lang.reflect.Type recordType,
    java.lang.reflect.Type keyType) {

  /** Number of channels a subtask of the target receives this edge on. */
  public int channelsPerReceiver() {
    return partitioning == Partitioning.FORWARD ? 1 : source.parallelism();
  }

  @Override
  public String toString() {
    return "edge " + id + " " + source.id() + "->" + target.id() + " " + partitioning;
  }
}
