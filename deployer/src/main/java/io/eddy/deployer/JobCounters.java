package io.eddy.deployer;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's counters over its whole life, as {@code GET /jobs/{id}} shows them under {@code metrics}: the final
 * counters of the tasks that ended or were stopped, the running tasks' counters as of their last checkpoint
 * acknowledgement, and the coordinators' own ({@code restarts}, {@code checkpoints.*}, {@code rescale.*}, ...).
 * Counters named {@code max...} keep the largest value; every other one adds up over tasks and attempts.
 *
 * <p>Confined to the {@link JobCoordinator}'s context: the job coordinator and its {@link CheckpointCoordinator}
 * write it as events arrive; the registry reads {@link #snapshot} when it publishes the job.
 */
final class JobCounters {
  private final Map<String, Long> totals = new TreeMap<>(); // of ended tasks and the coordinators' own
  private final Map<String, Map<String, Long>> live = new HashMap<>(); // "vertex/subtask": running tasks' last counters

  /** Starts from what a former coordinator of the job published, so that counts span the job's whole life. */
  void carry(JsonObject published) {
    if (published != null) {
      published.forEach(e -> {
        if (e.getValue() instanceof Number n) {
          totals.put(e.getKey(), n.longValue());
        }
      });
    }
  }

  /** Sets a coordinator's figure (a duration, a time stamp). */
  void put(String name, long value) {
    totals.put(name, value);
  }

  /** Adds to a coordinator's count. */
  void add(String name, long delta) {
    totals.merge(name, delta, Long::sum);
  }

  /** Keeps the larger of the figure so far and {@code value}. */
  void max(String name, long value) {
    totals.merge(name, value, Math::max);
  }

  /** A running subtask's counters as of a checkpoint acknowledgement; they replace its previous ones. */
  void live(int vertex, int subtask, Map<String, Long> counters) {
    live.put(vertex + "/" + subtask, counters);
  }

  /** An ended (or stopped) subtask's final counters; its live counters are superseded. */
  void ended(int vertex, int subtask, Map<String, Long> counters) {
    live.remove(vertex + "/" + subtask);
    mergeInto(totals, counters);
  }

  /** The attempt is gone: subtasks that did not answer count with the counters they last reported. */
  void attemptStopped() {
    live.values().forEach(m -> mergeInto(totals, m));
    live.clear();
  }

  /** The totals plus the running subtasks' live counters. */
  Map<String, Long> snapshot() {
    Map<String, Long> all = new TreeMap<>(totals);
    live.values().forEach(m -> mergeInto(all, m));
    return all;
  }

  /** The totals alone, for the job's result once every task has stopped. */
  Map<String, Long> totals() {
    return Map.copyOf(totals);
  }

  private static void mergeInto(Map<String, Long> into, Map<String, Long> m) {
    m.forEach((k, v) -> into.merge(k, v, k.startsWith("max") ? Math::max : Long::sum));
  }
}
