package io.eddy.deployer;

import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskMetrics;
import io.eddy.runtime.TaskVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The meters of the tasks one node runs, kept in step with them at every scrape ({@link #sync}): every counter is a
 * {@link FunctionCounter} or {@link Gauge} that reads the task's {@link TaskMetrics} when scraped, so the tasks pay
 * nothing per record. Series are tagged {@code job} (id), {@code job_name}, {@code vertex} (the chain's name),
 * {@code subtask}, and operator counters and state sizes also {@code operator}; a rescaled or restarted job's next attempt takes
 * over its subtasks' series (its counters start again from zero, which Prometheus's {@code rate()} handles as a
 * reset).
 *
 * <p>{@link #sync} may be called from any thread; calls are serialized.
 */
final class TaskMeters {
  private static final String STATE_PREFIX = "state size of ";
  private static final Map<String, String> COUNTERS = Map.of(
      TaskMetrics.RECORDS_IN, "Records the subtask took in (read from its source, or received)",
      TaskMetrics.RECORDS_OUT, "Records the subtask sent to other subtasks",
      TaskMetrics.SOURCE_RECORDS, "Records the subtask read from the job's source",
      TaskMetrics.FRAMES_IN, "Frames the subtask received",
      TaskMetrics.FRAMES_OUT, "Frames the subtask sent");
  private static final Map<String, String> MAXIMA = Map.of(
      TaskMetrics.MAX_FRAMES_IN_FLIGHT, "The most frames one output channel had sent and not yet had credited back",
      TaskMetrics.MAX_FRAMES_QUEUED, "The most frames queued on one input channel",
      TaskMetrics.MAX_FRAMES_BACKLOGGED, "The most sealed frames one output channel held without credit");

  private final MeterRegistry registry;
  private final Map<TaskId, Registered> registered = new HashMap<>();

  /** One task's meters, and the operator counters among them. */
  private record Registered(TaskVerticle task, String series, List<Meter> meters, Set<String> operatorCounters) {
  }

  TaskMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers the meters of tasks that started since the last call and removes those of tasks that stopped. */
  synchronized void sync(Collection<TaskVerticle> running) {
    Set<TaskId> live = new HashSet<>();
    for (TaskVerticle t : running) {
      live.add(t.id());
    }
    for (Iterator<Registered> it = registered.values().iterator(); it.hasNext(); ) {
      Registered r = it.next();
      if (!live.contains(r.task.id())) {
        r.meters.forEach(registry::remove);
        it.remove();
      }
    }
    for (TaskVerticle t : running) {
      if (t.vertex() == null) {
        continue; // not started yet: its vertex (and name) is not known
      }
      Registered r = registered.get(t.id());
      if (r == null) {
        r = register(t);
        if (r == null) {
          continue;
        }
      }
      for (String name : t.metrics().snapshot().keySet()) {
        int dot = name.indexOf('.');
        if (dot > 0 && r.operatorCounters.add(name)) {
          r.meters.add(operatorCounter(t, name.substring(0, dot), name.substring(dot + 1)));
        }
      }
      for (String uid : t.metrics().stateBytes().keySet()) {
        if (r.operatorCounters.add(STATE_PREFIX + uid)) {
          r.meters.add(operatorStateSize(t, uid));
        }
      }
    }
  }

  private Tags tags(TaskVerticle t) {
    TaskId id = t.id();
    return Tags.of("job", id.jobId(), "job_name", t.job().config().name(), "vertex", t.vertex().name(),
        "subtask", String.valueOf(id.subtask()));
  }

  private Registered register(TaskVerticle t) {
    TaskId id = t.id();
    String series = id.jobId() + "/" + id.vertex() + "/" + id.subtask();
    // the same subtask of another attempt: the newer one has the series
    for (Iterator<Registered> it = registered.values().iterator(); it.hasNext(); ) {
      Registered other = it.next();
      if (other.series.equals(series)) {
        if (other.task.id().attempt() > id.attempt()) {
          return null;
        }
        other.meters.forEach(registry::remove);
        it.remove();
      }
    }
    Tags tags = tags(t);
    TaskMetrics m = t.metrics();
    List<Meter> meters = new ArrayList<>();
    COUNTERS.forEach((name, help) -> meters.add(FunctionCounter.builder("eddy.task." + snake(name), m,
        x -> x.get(name)).description(help).tags(tags).register(registry)));
    MAXIMA.forEach((name, help) -> meters.add(Gauge.builder("eddy.task." + snake(name), m,
        x -> x.get(name)).description(help).tags(tags).strongReference(true).register(registry)));
    meters.add(FunctionCounter.builder("eddy.task.back.pressured", m, x -> x.backPressuredNanos() / 1e9)
        .baseUnit("seconds").description("Time some output channel of the subtask held a frame it had no credit for")
        .tags(tags).register(registry));
    meters.add(Gauge.builder("eddy.task.watermark", m, x -> watermarkSeconds(x, t))
        .baseUnit("seconds").description("The subtask's watermark in epoch seconds (a source's output watermark, any"
            + " other subtask's input watermark); absent before the first")
        .tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.task.watermark.lag", m, x -> {
      double w = watermarkSeconds(x, t);
      return Double.isNaN(w) ? Double.NaN : System.currentTimeMillis() / 1000.0 - w;
    }).baseUnit("seconds").description("How far the subtask's watermark is behind the wall clock")
        .tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.task.alignment", m, x -> x.gauges().get("alignmentNanos") / 1e9)
        .baseUnit("seconds").description("How long the subtask's last aligned checkpoint held its input channels")
        .tags(tags).strongReference(true).register(registry));
    meters.add(Gauge.builder("eddy.task.state.size", m, x -> stateBytes(x.stateBytes().values()))
        .baseUnit("bytes").description("The subtask's state in its last checkpoint (every operator's key groups,"
            + " operator state and backend files); absent before its first")
        .tags(tags).strongReference(true).register(registry));
    Registered r = new Registered(t, series, meters, new HashSet<>());
    registered.put(id, r);
    return r;
  }

  private static double watermarkSeconds(TaskMetrics m, TaskVerticle t) {
    long w = m.gauges().get(t.vertex() != null && t.vertex().isSource() ? "outputWatermark" : "inputWatermark");
    return w == Long.MIN_VALUE || w == Long.MAX_VALUE ? Double.NaN : w / 1000.0;
  }

  private static double stateBytes(Collection<Long> sizes) {
    return sizes.isEmpty() ? Double.NaN : sizes.stream().mapToLong(Long::longValue).sum();
  }

  /** The state size of one operator of the chain ({@code operator}: its name, the uid up to its {@code #id}). */
  private Meter operatorStateSize(TaskVerticle t, String uid) {
    int hash = uid.lastIndexOf('#');
    String operator = hash > 0 ? uid.substring(0, hash) : uid;
    return Gauge.builder("eddy.operator.state.size", t.metrics(), x -> {
      Long b = x.stateBytes().get(uid);
      return b == null ? Double.NaN : b;
    }).baseUnit("bytes").description("The operator's state in the subtask's last checkpoint")
        .tags(tags(t).and("operator", operator)).strongReference(true).register(registry);
  }

  private Meter operatorCounter(TaskVerticle t, String operator, String counter) {
    String full = operator + "." + counter;
    return FunctionCounter.builder("eddy.operator." + snake(counter), t.metrics(), x -> x.get(full))
        .description("The operator's counter '" + counter + "'")
        .tags(tags(t).and("operator", operator)).register(registry);
  }

  /** {@code recordsIn} to {@code records.in}: Micrometer's Prometheus naming turns the dots into underscores. */
  static String snake(String name) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('.').append(Character.toLowerCase(c));
      } else {
        b.append(Character.isLetterOrDigit(c) ? c : '.');
      }
    }
    return b.toString();
  }
}
