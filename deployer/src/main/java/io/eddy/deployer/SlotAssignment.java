package io.eddy.deployer;

import io.eddy.runtime.TaskId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the slots of one attempt of a job are: slot {@code i} is on node {@code nodes().get(i)}, and the attempt runs
 * at parallelism {@code nodes().size()}. A slot holds subtask {@code i} of every vertex (slot sharing, as in
 * Flink), so FORWARD edges stay inside a node and only HASH, REBALANCE and BROADCAST edges cross nodes.
 *
 * @param nodes the node id of each slot, in slot order
 */
public record SlotAssignment(List<String> nodes) {
  public SlotAssignment {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a slot assignment needs at least one slot");
    }
  }

  /** @return the parallelism the attempt runs at */
  public int parallelism() {
    return nodes.size();
  }

  /** @return the node the subtask runs on (a vertex wider than the job wraps around the slots) */
  public String nodeOf(TaskId task) {
    return nodes.get(task.subtask() % nodes.size());
  }

  /** @return the distinct nodes, in slot order */
  public Set<String> distinctNodes() {
    return new LinkedHashSet<>(nodes);
  }

  /** @return how many slots are on {@code node} */
  public int slotsOn(String node) {
    return (int) nodes.stream().filter(node::equals).count();
  }
}
