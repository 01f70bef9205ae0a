package io.eddy.runtime.control;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What one subtask tells its job's coordinator, on the coordinator's address for the task's attempt.
 * Every report names the subtask by its vertex and index. Counters are the task's own totals so far
 * (records in and out, source records, and so on); a task that reported its end reports none later.
 */
public sealed interface TaskReport extends TaskMessage {
  /** The plan vertex of the reporting subtask. */
  int vertex();

  /** The index of the reporting subtask within its vertex. */
  int subtask();

  /** All input ended and everything was sent: the task waits for the final checkpoint. */
  record Ended(int vertex, int subtask) implements TaskReport {}

  /** The task finished (after the final checkpoint completed, when the job checkpoints). */
  record Finished(int vertex, int subtask, Map<String, Long> counters) implements TaskReport {
    public Finished {
      counters = Map.copyOf(counters);
    }
  }

  /** The task failed; {@code error} names the operator or connector and what went wrong. */
  record Failed(int vertex, int subtask, Map<String, Long> counters, String error) implements TaskReport {
    public Failed {
      counters = Map.copyOf(counters);
    }
  }

  /**
   * The answer to {@link TaskCommand.Cancel}: the state the task was in, and its counters unless it
   * had already reported them with its end ({@code counters} empty then).
   */
  record Canceled(int vertex, int subtask, String state, Map<String, Long> counters) implements TaskReport {
    public Canceled {
      counters = Map.copyOf(counters);
    }
  }

  /**
   * The task's part of checkpoint {@code checkpointId} is durable. {@code stateHandles} says where
   * each operator's state lies (it goes into the checkpoint's metadata as it is); the counters and
   * gauges (back-pressure, watermarks, alignment) as of the snapshot ride along, so the job's
   * figures are live to the last checkpoint.
   */
  record CheckpointAck(
      int vertex, int subtask, long checkpointId, JsonObject stateHandles,
      Map<String, Long> counters, Map<String, Long> gauges) implements TaskReport {
    public CheckpointAck {
      stateHandles = stateHandles.copy();
      counters = Map.copyOf(counters);
      gauges = Map.copyOf(gauges);
    }
  }
}
