package io.eddy.deployer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.List;

/**
 * One node's metrics, exposed at {@code GET /metrics} in the Prometheus text format by Micrometer's Prometheus
 * registry: the node's own gauges ({@code eddy_node_slots}, {@code eddy_node_used_slots}, {@code eddy_node_leader}),
 * the tasks it runs ({@link TaskMeters}), the jobs it leads ({@link JobMeters}), and, from vertx-micrometer-metrics,
 * Vert.x's (HTTP server, TCP, worker pools, verticles) and the JVM's. Each node exports only what it runs, so a
 * {@code sum()} over all nodes' scrapes counts everything once.
 *
 * <p>Every Eddy meter reads its value when scraped, so the tasks pay nothing per record. Vert.x's event-bus meters
 * are off: they would cost a counter update per frame and a series per task address.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final TaskMeters tasks = new TaskMeters(registry);
  private volatile int usedSlots;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  NodeMetrics() {
    // the JVM's, bound here: vertx-micrometer-metrics binds them only to a registry it creates itself
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** @return the registry every meter of the node goes to */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** @return the metrics factory to build the node's Vert.x with: its meters go to this registry */
  VertxMetricsFactory vertxMetricsFactory() {
    return new MicrometerMetricsFactory(registry);
  }

  /**
   * @return the options that turn Vert.x's meters on, without the event bus's; under a registry name of this node's
   *     own, since vertx-micrometer-metrics shares registries by name within a JVM (tests run several nodes in one)
   */
  MetricsOptions vertxMetricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setRegistryName("eddy-node-" + java.util.UUID.randomUUID())
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
  }

  /** Registers the node's own gauges (once the node has started). */
  void bind(ClusterNode node) {
    Tags tags = Tags.of("node", node.nodeId());
    Gauge.builder("eddy.node.slots", node, n -> n.config().slots()).description("Slots the node offers")
        .tags(tags).strongReference(true).register(registry);
    Gauge.builder("eddy.node.used.slots", this, m -> m.usedSlots).description("Slots of the node that jobs use")
        .tags(tags).strongReference(true).register(registry);
    Gauge.builder("eddy.node.leader", node, n -> n.isLeader() ? 1 : 0)
        .description("1 if the node's deployer leads the cluster").tags(tags).strongReference(true).register(registry);
  }

  /**
   * Adds {@code GET /metrics} to {@code router}: reads the node's advertisement for its used slots, brings the task
   * meters in step with the tasks running now, and answers the scrape.
   */
  void mount(Router router, Vertx vertx, ClusterNode node) {
    router.get("/metrics").handler(ctx -> vertx.sharedData().<String, JsonObject>getAsyncMap(ClusterNode.NODES_MAP)
        .compose(m -> m.get(node.nodeId()))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() != null) {
            usedSlots = ar.result().getInteger("usedSlots", 0);
          }
          tasks.sync(node.runningTasks());
          ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
        }));
  }

  /** Brings the task meters in step with {@code running} (for tests that scrape without HTTP). */
  void syncTasks(List<io.eddy.runtime.TaskVerticle> running) {
    tasks.sync(running);
  }

  /** Releases the registry's meters (the node stops). */
  void close() {
    gc.close();
    registry.close();
  }
}
