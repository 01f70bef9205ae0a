package io.eddy.deployer.control;

import java.util.List;

/** What the leader asks of the node that is to run (or stop) tasks of a job's attempt. */
public sealed interface NodeRequest extends DeployerMessage {
  /** One subtask of a vertex. */
  record Subtask(int vertex, int subtask) {
  }

  /**
   * Deploy these subtasks of an attempt here. Answered once every one has started, or failed with the first cause.
   *
   * @param jobJson     the job's configuration, as {@code JobConfig#raw}
   * @param source      where that configuration came from, for messages
   * @param slots       per slot index of the attempt, the node that holds it
   * @param tasks       the subtasks of the attempt to deploy on this node
   * @param restoreJson the checkpoint metadata the subtasks restore from, or null to start afresh
   */
  record Deploy(String jobId, int attempt, String jobJson, String source, List<String> slots, List<Subtask> tasks,
      String restoreJson) implements NodeRequest {
    public Deploy {
      slots = List.copyOf(slots);
      tasks = List.copyOf(tasks);
    }
  }

  /** Stop and undeploy every task of this attempt here (if any). */
  record Undeploy(String jobId, int attempt) implements NodeRequest {
  }
}
