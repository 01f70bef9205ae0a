package io.eddy.deployer;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.eddy.config.PathPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Eddy node: a clustered Vert.x over Hazelcast (configured in code from a {@link NodeConfig}), its REST
 * server ({@link RestVerticle}), its {@link NodeVerticle} advertising the slots and its {@link DeployerVerticle}
 * candidate.
 *
 * <p>The node owns the cluster manager's membership listener: {@link HazelcastClusterManager#nodeListener} holds
 * a single listener, so everything else registers with {@link #addNodeListener} and hears the events from here
 * (on a Hazelcast thread; hop to your own context).
 *
 * <p>Cluster-wide state: the map {@link #NODES_MAP} (node id to {@code {id, host, httpPort, slots, usedSlots}}),
 * the map {@link #CLUSTER_MAP} (key {@link #LEADER_KEY}: the leader's node id) and the lock {@link #LEADER_LOCK}.
 */
public final class ClusterNode {
  /** Node id to the node's advertisement. */
  public static final String NODES_MAP = "eddy.nodes";
  /** Cluster-wide facts, such as the leader. */
  public static final String CLUSTER_MAP = "eddy.cluster";
  /** The key of {@link #CLUSTER_MAP} holding the leader's node id. */
  public static final String LEADER_KEY = "leader";
  /** The lock whose holder is the leader. */
  public static final String LEADER_LOCK = "eddy.deployer.leader";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  private static final int MERGE_DELAY_SECONDS = 5;

  private final NodeConfig config;
  private final PathPolicy pathPolicy;
  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
  private volatile RestVerticle rest;
  private volatile DeployerVerticle deployer;
  private volatile boolean closed;
  private volatile String nodeVerticleDeployment;
  private volatile NodeVerticle nodeVerticle;
  private final NodeMetrics metrics;

  private ClusterNode(NodeConfig config, Vertx vertx, HazelcastClusterManager clusterManager, NodeMetrics metrics) {
    this.config = config;
    this.pathPolicy = config.pathPolicy(); // resolves the roots' links once, before any event loop needs it
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.metrics = metrics;
  }

  /**
   * Joins (or forms) the cluster and deploys the node's verticles.
   *
   * @param config the node's settings
   * @return the running node; on failure the clustered Vert.x (if any) has been closed again
   */
  public static Future<ClusterNode> start(NodeConfig config) {
    HazelcastClusterManager cm = new HazelcastClusterManager(hazelcastConfig(config));
    VertxOptions options = vertxOptions(config);
    NodeMetrics metrics = new NodeMetrics();
    options.setMetricsOptions(metrics.vertxMetricsOptions());
    return Vertx.builder().with(options).withClusterManager(cm).withMetrics(metrics.vertxMetricsFactory())
        .buildClustered().compose(vertx -> {
      // before any verticle: requests between deployers arrive as soon as this node is a member
      io.eddy.deployer.control.DeployerMessage.registerCodecOn(vertx.eventBus());
      ClusterNode node = new ClusterNode(config, vertx, cm, metrics);
      cm.nodeListener(new NodeListener() {
        @Override
        public void nodeAdded(String nodeID) {
          node.listeners.forEach(l -> l.nodeAdded(nodeID));
        }

        @Override
        public void nodeLeft(String nodeID) {
          node.listeners.forEach(l -> l.nodeLeft(nodeID));
        }
      });
      LOG.debug("clustered Vert.x up, deploying");
      return node.deploy().map(node).recover(e -> {
        // close in the background: a callback on the closing instance's contexts may never run
        LOG.debug("node start failed, closing Vert.x", e);
        vertx.close();
        return Future.failedFuture(e);
      });
    });
  }

  /**
   * The Vert.x options of a node: the event bus on the configured host and port, and with {@code clusterTls*} set, TLS
   * both ways: a node presents its certificate and accepts connections only from peers whose certificate its trust
   * file vouches for, so a process without such a certificate can neither send to nor receive from a node's addresses.
   *
   * @param config the node's settings
   * @return fresh options
   */
  public static VertxOptions vertxOptions(NodeConfig config) {
    VertxOptions options = new VertxOptions();
    EventBusOptions bus = options.getEventBusOptions().setHost(config.host()).setPort(config.eventBusPort());
    if (config.publicHost() != null) {
      bus.setClusterPublicHost(config.publicHost()); // what the other nodes connect to
    }
    NodeConfig.Tls tls = config.clusterTls();
    if (tls != null) {
      bus.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certificate()).setKeyPath(tls.key()))
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.trust()))
          .setClientAuth(ClientAuth.REQUIRED)
          // EventBusOptions trusts every server certificate by default: a node would send to anyone
          .setTrustAll(false);
    }
    return options;
  }

  private Future<Void> deploy() {
    RestVerticle r = new RestVerticle(this, config.host(), config.httpPort());
    return vertx.deployVerticle(r).compose(id -> {
      rest = r;
      NodeVerticle nv = new NodeVerticle(this, config.advertisedHost(), r.actualPort(), config.slots());
      nodeVerticle = nv;
      return vertx.deployVerticle(nv);
    }).compose(id -> {
      nodeVerticleDeployment = id;
      metrics.bind(this);
      DeployerVerticle d = new DeployerVerticle(this, 1000);
      deployer = d;
      return vertx.deployVerticle(d);
    }).mapEmpty();
  }

  /**
   * The Hazelcast configuration of a node, built in code (no XML parsing): loopback-friendly TCP-IP join on the
   * configured members, no multicast or auto-detection, fast failure detection, no phone home, SLF4J logging, and
   * the {@code __vertx.*} structures vertx-hazelcast's default configuration declares.
   *
   * @param config the node's settings
   * @return a fresh Hazelcast configuration
   */
  public static Config hazelcastConfig(NodeConfig config) {
    Config hz = new Config();
    hz.setClusterName(config.clusterName());
    hz.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    hz.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    hz.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(config.hazelcastPort()).setPortAutoIncrement(true).setPortCount(20);
    if (config.publicHost() != null) {
      net.setPublicAddress(config.publicHost()); // bound to host, reached at publicHost (NAT, containers)
    }
    // the bind address itself, not an interface to match: 127.0.0.2 or a host name match no interface's address, and
    // without it Hazelcast picks an interface of its own, perhaps a public one
    hz.setProperty("hazelcast.local.localAddress", config.host());
    if (config.host().contains(":")) {
      hz.setProperty("hazelcast.prefer.ipv4.stack", "false");
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.members());

    hz.setProperty("hazelcast.tcp.join.port.try.count", "20");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(config.heartbeatSeconds()));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(config.maxNoHeartbeatSeconds()));
    // after a partition heals (or a paused member resumes), the sides look for each other and merge within seconds,
    // not the default 5 minutes: until then the side without a quorum has no leader
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    return hz;
  }

  /** @param listener hears every node that joins or leaves, on a Hazelcast thread */
  public void addNodeListener(NodeListener listener) {
    listeners.add(listener);
  }

  /** @param listener a listener added before */
  public void removeNodeListener(NodeListener listener) {
    listeners.remove(listener);
  }

  /** @return the ids of the cluster's current members */
  public List<String> members() {
    return clusterManager.getNodes();
  }

  /** @return this node's id (the cluster manager's) */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** @return the address Hazelcast listens on, as {@code host:port} (tests) */
  String hazelcastAddress() {
    var a = clusterManager.getHazelcastInstance().getCluster().getLocalMember().getAddress();
    return a.getHost() + ":" + a.getPort();
  }

  /** @return the port the REST server listens on */
  public int httpPort() {
    return rest.actualPort();
  }

  /** @return where paths named by requests and job parameters must lie on this node */
  public PathPolicy pathPolicy() {
    return pathPolicy;
  }

  /** @return the node's settings */
  public NodeConfig config() {
    return config;
  }

  /** @return the clustered Vert.x */
  public Vertx vertx() {
    return vertx;
  }

  /** @return the node's metrics (its Prometheus registry) */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** @return the tasks running on this node now (any thread) */
  java.util.List<io.eddy.runtime.TaskVerticle> runningTasks() {
    NodeVerticle nv = nodeVerticle;
    return nv == null ? java.util.List.of() : nv.runningTasks();
  }

  /** @return whether tasks of some job run on this node */
  public boolean hostsTasks() {
    NodeVerticle nv = nodeVerticle;
    return nv != null && nv.hostsTasks();
  }

  /** @return whether this node's deployer candidate holds the leader lock */
  public boolean isLeader() {
    DeployerVerticle d = deployer;
    return d != null && d.isLeader();
  }

  /**
   * @return why this node may not lead now (it sees fewer members than the quorum of {@code clusterSize}), or null
   */
  public String quorumProblem() {
    return DeployerVerticle.quorumProblem(members().size(), config);
  }

  /** @return the one line printed once the node has joined */
  public String joinedLine() {
    int n = members().size();
    // the first node of a cluster is alone by design; say so, so that a wrong member list shows
    String alone = n == 1 ? "; alone: no other member found at " + config.members() : "";
    return "eddy node " + nodeId() + " joined cluster '" + config.clusterName() + "' (" + n
        + " members), http on " + httpPort() + alone;
  }

  /**
   * Simulates a crash for tests: terminates the Hazelcast member at once, without leaving gracefully, so the
   * others see it as dead. The Vert.x instance is left to {@link #close()}.
   */
  void crashForTest() {
    clusterManager.getHazelcastInstance().getLifecycleService().terminate();
  }

  /**
   * Leaves the cluster gracefully: first the jobs move off this node (see {@link DeployerVerticle#leave}), then its
   * advertisement goes (so no new leader places slots here), then its deployer candidate (releasing a held leader
   * lock), and Vert.x closes. Idempotent.
   *
   * @return completes once Vert.x is closed
   */
  public synchronized Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    LOG.debug("node {} leaving cluster '{}'", nodeId(), config.clusterName());
    DeployerVerticle d = deployer;
    String nodeDeployment = nodeVerticleDeployment;
    boolean member = clusterManager.getHazelcastInstance().getLifecycleService().isRunning();
    Future<Void> moved = d == null || !member ? Future.succeededFuture() : d.leave();
    var beforeClose = moved
        .compose(v -> nodeDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(nodeDeployment))
        .recover(e -> Future.succeededFuture())
        .toCompletionStage();
    // close from a thread of no Vert.x context: a future bound to one of this instance's contexts would never
    // deliver its completion, since closing stops them
    return Future.fromCompletionStage(beforeClose.thenComposeAsync(v -> vertx.close().toCompletionStage()))
        .onComplete(ar -> metrics.close());
  }
}
