package io.eddy.deployer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The meters of one job the leader runs: read at scrape time from what the registry last published of it (its JSON
 * and its details), which are immutable once published, so any thread may read them. Only the leader, which runs
 * the job's coordinator, registers them, so a job's series come from one node. Tagged {@code job} (id) and
 * {@code job_name}.
 *
 * <p>Created and {@link #remove removed} on the leader's deployer context.
 */
final class JobMeters {
  private static final String[] STATES = {"CREATED", "RUNNING", "RESTARTING", "FINISHED", "FAILED", "CANCELED"};

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

  /**
   * @param job the job as last published ({@code GET /jobs/{id}}); never null once the job has been published
   * @param details its details as last published ({@code {vertices, checkpoints}}), or null
   */
  JobMeters(MeterRegistry registry, String id, String name, Supplier<JsonObject> job, Supplier<JsonObject> details) {
    this.registry = registry;
    Tags tags = Tags.of("job", id, "job_name", name);
    for (String state : STATES) {
      meters.add(Gauge.builder("eddy.job.state", job, j -> j.get() != null && state.equals(j.get().getString("state"))
              ? 1 : 0)
          .description("1 for the job's current state, 0 for the others").tags(tags.and("state", state))
          .strongReference(true).register(registry));
    }
    meters.add(Gauge.builder("eddy.job.parallelism", job, j -> number(j.get(), "parallelism"))
        .description("The parallelism the job runs at").tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.job.attempt", job, j -> number(j.get(), "attempt"))
        .description("The job's current attempt: 0 for the first, one more after each redeployment")
        .tags(tags).strongReference(true).register(registry));
    counter("eddy.job.restarts", "Restarts after a failure", job, "restarts", tags);
    counter("eddy.job.rescales", "Rescales", job, "rescales", tags);
    counter("eddy.job.checkpoints.completed", "Checkpoints completed", job, "checkpoints.completed", tags);
    counter("eddy.job.checkpoints.failed", "Checkpoints aborted or not stored", job, "checkpoints.aborted", tags);
    meters.add(Gauge.builder("eddy.job.checkpoint.duration", details,
            d -> lastCompleted(d.get(), "durationMillis") / 1000.0)
        .baseUnit("seconds").description("How long the last completed checkpoint took, trigger to stored")
        .tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.job.checkpoint.size", details, d -> lastCompleted(d.get(), "sizeBytes"))
        .baseUnit("bytes").description("The size of the last completed checkpoint's files")
        .tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.job.checkpoint.alignment", details,
            d -> lastCompleted(d.get(), "alignmentMillis") / 1000.0)
        .baseUnit("seconds").description("The longest barrier alignment of a subtask in the last completed checkpoint")
        .tags(tags).strongReference(true).register(registry));
  }

  private void counter(String name, String help, Supplier<JsonObject> job, String metric, Tags tags) {
    meters.add(FunctionCounter.builder(name, job, j -> {
      JsonObject m = j.get() == null ? null : j.get().getJsonObject("metrics");
      return m == null || !(m.getValue(metric) instanceof Number n) ? 0 : n.doubleValue();
    }).description(help).tags(tags).register(registry));
  }

  private static double number(JsonObject j, String key) {
    return j != null && j.getValue(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** A field of the newest completed checkpoint in the details' history; NaN when there is none. */
  private static double lastCompleted(JsonObject details, String field) {
    JsonObject c = details == null ? null : details.getJsonObject("checkpoints");
    JsonArray history = c == null ? null : c.getJsonArray("history");
    if (history != null) {
      for (int i = 0; i < history.size(); i++) {
        JsonObject h = history.getJsonObject(i);
        if ("COMPLETED".equals(h.getString("status")) && h.getValue(field) instanceof Number n) {
          return n.doubleValue();
        }
      }
    }
    return Double.NaN;
  }

  /** Removes the job's meters (this node no longer leads, or stops). */
  void remove() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
