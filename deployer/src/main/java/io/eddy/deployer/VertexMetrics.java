package io.eddy.deployer;

import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobEdge;
import io.eddy.graph.JobVertex;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * A running job's per-vertex figures, as the dashboard draws them: built from what every subtask sends with its
 * checkpoint acknowledgement (its counters and gauges), so they are as fresh as the last checkpoint and cost the
 * tasks nothing between checkpoints. Rates are the change since the subtask's previous report (or since it started
 * running) divided by the time between them.
 *
 * <p>Confined to the {@link JobCoordinator}'s context: {@link #onReport} when an acknowledgement arrives,
 * {@link #newAttempt} when the next attempt is deployed (its subtasks count from zero again), {@link #describe}
 * when the registry publishes the job. A coordinator that takes a job over from a former leader {@link #carry carries}
 * the figures that leader published; they stand until the first subtask of the new attempt reports.
 */
final class VertexMetrics {
  /** One subtask's last report and the rates derived from it. */
  private record Sample(long atMillis, long recordsIn, long recordsOut, long backPressuredNanos,
      double inPerSecond, double outPerSecond, double backPressure, long inputWatermark, long outputWatermark,
      long alignmentNanos, long stateBytes) {
  }

  private final Map<String, Sample> samples = new HashMap<>(); // "vertex/subtask"
  private final Map<Integer, JsonObject> carried = new HashMap<>(); // vertex id: a former leader's figures

  /**
   * Starts from {@code described}, a former {@link #describe} as published with the job: each vertex's figures are
   * shown as they were until a subtask reports again. Entries without a numeric {@code id} are ignored.
   */
  void carry(JsonArray described) {
    if (described == null) {
      return;
    }
    for (Object o : described) {
      if (o instanceof JsonObject v && v.getValue("id") instanceof Number id) {
        carried.put(id.intValue(), v.copy());
      }
    }
  }

  /** The next attempt runs: its subtasks' counters start from zero. */
  void newAttempt() {
    samples.clear();
  }

  /**
   * A subtask reported with a checkpoint acknowledgement.
   *
   * @param counters its {@code TaskMetrics} counters ({@code recordsIn}, {@code recordsOut}, ...)
   * @param gauges its {@code TaskMetrics.gauges()}
   */
  void onReport(int vertex, int subtask, Map<String, Long> counters, Map<String, Long> gauges) {
    carried.clear(); // the new attempt's figures replace the former leader's
    String key = vertex + "/" + subtask;
    long at = gauges.getOrDefault("atMillis", 0L);
    long in = counters.getOrDefault("recordsIn", 0L);
    long out = counters.getOrDefault("recordsOut", 0L);
    long bp = gauges.getOrDefault("backPressuredNanos", 0L);
    Sample prev = samples.get(key);
    long fromAt = prev != null ? prev.atMillis : gauges.getOrDefault("runningSinceMillis", at);
    long fromIn = prev != null ? prev.recordsIn : 0;
    long fromOut = prev != null ? prev.recordsOut : 0;
    long fromBp = prev != null ? prev.backPressuredNanos : 0;
    long millis = at - fromAt;
    double inRate = millis > 0 ? (in - fromIn) * 1000.0 / millis : 0;
    double outRate = millis > 0 ? (out - fromOut) * 1000.0 / millis : 0;
    double share = millis > 0 ? Math.min(1.0, Math.max(0.0, (bp - fromBp) / (millis * 1e6))) : 0;
    samples.put(key, new Sample(at, in, out, bp, inRate, outRate, share,
        gauges.getOrDefault("inputWatermark", Long.MIN_VALUE), gauges.getOrDefault("outputWatermark", Long.MIN_VALUE),
        gauges.getOrDefault("alignmentNanos", 0L), gauges.getOrDefault("stateBytes", -1L)));
  }

  /**
   * The plan's vertices with their figures: {@code id, name, parallelism, source, inputs: [{vertex, partitioning}],
   * reportedSubtasks, recordsIn, recordsOut, recordsInPerSecond, recordsOutPerSecond} (sums over the subtasks),
   * {@code backPressure} (the highest share of time a subtask was blocked on credit, 0 to 1), {@code watermark}
   * (the lowest over subtasks: a source's output watermark, any other vertex's input watermark; absent before the
   * first), {@code watermarkLagMillis} (how far it is behind the wall clock at the report) and
   * {@code alignmentMillis} (the longest last alignment of a subtask), {@code asOf} (epoch millis of the latest
   * report), and once subtasks reported their state size {@code stateBytes} (the sum) and {@code subtasks:
   * [{subtask, stateBytes}]} (each subtask's state in its last acknowledged checkpoint).
   */
  JsonArray describe(ExecutionPlan plan) {
    JsonArray out = new JsonArray();
    if (plan == null) {
      return out;
    }
    for (JobVertex v : plan.vertices()) {
      JsonArray inputs = new JsonArray();
      for (JobEdge e : v.inputs()) {
        inputs.add(new JsonObject().put("vertex", e.source().id()).put("partitioning", e.partitioning().name()));
      }
      JsonObject j = new JsonObject().put("id", v.id()).put("name", v.name()).put("parallelism", v.parallelism())
          .put("source", v.isSource()).put("inputs", inputs);
      int reported = 0;
      long recordsIn = 0;
      long recordsOut = 0;
      double inRate = 0;
      double outRate = 0;
      double backPressure = 0;
      long watermark = Long.MAX_VALUE;
      long asOf = 0;
      long alignment = 0;
      long stateBytes = 0;
      JsonArray subtasks = new JsonArray();
      for (int i = 0; i < v.parallelism(); i++) {
        Sample s = samples.get(v.id() + "/" + i);
        if (s == null) {
          continue;
        }
        reported++;
        recordsIn += s.recordsIn;
        recordsOut += s.recordsOut;
        inRate += s.inPerSecond;
        outRate += s.outPerSecond;
        backPressure = Math.max(backPressure, s.backPressure);
        watermark = Math.min(watermark, v.isSource() ? s.outputWatermark : s.inputWatermark);
        asOf = Math.max(asOf, s.atMillis);
        alignment = Math.max(alignment, s.alignmentNanos);
        if (s.stateBytes >= 0) {
          stateBytes += s.stateBytes;
          subtasks.add(new JsonObject().put("subtask", i).put("stateBytes", s.stateBytes));
        }
      }
      if (reported == 0 && carried.containsKey(v.id())) {
        out.add(carried.get(v.id()).copy());
        continue;
      }
      j.put("reportedSubtasks", reported);
      if (reported > 0) {
        j.put("recordsIn", recordsIn).put("recordsOut", recordsOut)
            .put("recordsInPerSecond", Math.round(inRate * 10) / 10.0)
            .put("recordsOutPerSecond", Math.round(outRate * 10) / 10.0)
            .put("backPressure", Math.round(backPressure * 1000) / 1000.0)
            .put("alignmentMillis", alignment / 1_000_000)
            .put("asOf", asOf);
        if (!subtasks.isEmpty()) {
          j.put("stateBytes", stateBytes).put("subtasks", subtasks);
        }
        // MIN_VALUE: no watermark yet; MAX_VALUE: input ended
        if (watermark != Long.MIN_VALUE && watermark != Long.MAX_VALUE) {
          j.put("watermark", watermark).put("watermarkLagMillis", Math.max(0, asOf - watermark));
        }
      }
      out.add(j);
    }
    return out;
  }
}
