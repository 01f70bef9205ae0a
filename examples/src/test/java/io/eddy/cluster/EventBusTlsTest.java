package io.eddy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.eddy.deployer.NodeVerticle;
import io.eddy.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose event bus runs TLS with client certificates: a clustered Vert.x holding a certificate the node trusts
 * talks to it; one with another certificate, or with none, joins Hazelcast (which has no authentication) but can
 * neither send to the node's deployer and task addresses nor receive what the node sends.
 */
class EventBusTlsTest {
  private static final String DEPLOYER = "eddy.deployer.jobs";

  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void onlyPeersWithATrustedCertificateReachANode() throws Exception {
    TestCertificates.Pem cluster = TestCertificates.selfSigned(tmp, "cluster");
    TestCertificates.Pem stranger = TestCertificates.selfSigned(tmp, "stranger");
    NodeConfig.Tls tls = new NodeConfig.Tls(cluster.certificate().toString(), cluster.key().toString(),
        cluster.certificate().toString());
    NodeConfig conf = NodeConfig.defaults().withClusterName("eddy-tls-" + UUID.randomUUID().toString().substring(0, 8))
        .withHttpPort(freePort()).withSlots(1).withClusterTls(tls);
    ClusterNode node = await(ClusterNode.start(conf), 90);
    Vertx friend = null;
    Vertx withOtherCertificate = null;
    Vertx plaintext = null;
    try {
      // a peer with the cluster's certificate reaches the leader's deployer: "no job" is the deployer's own answer
      friend = join(conf, ClusterNode.vertxOptions(conf));
      ReplyException answer = requestFailure(friend, DEPLOYER, 60_000);
      assertThat(answer.failureType()).as(String.valueOf(answer)).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
      assertThat(answer.failureCode()).isEqualTo(404);
      assertThat(answer.getMessage()).isEqualTo("no job 'nope'");
      assertReceives(node.vertx(), friend, "eddy.test.friend");

      NodeConfig.Tls foreign = new NodeConfig.Tls(stranger.certificate().toString(), stranger.key().toString(),
          cluster.certificate().toString()); // the cluster's certificate is public; its key is what counts
      withOtherCertificate = join(conf, ClusterNode.vertxOptions(conf.withClusterTls(foreign)));
      assertCutOff(node, withOtherCertificate);

      plaintext = join(conf, ClusterNode.vertxOptions(conf.withClusterTls(null)));
      assertCutOff(node, plaintext);

      // the friend is still served: the refusals did not disturb the node
      assertThat(requestFailure(friend, DEPLOYER, 30_000).failureCode()).isEqualTo(404);
    } finally {
      for (Vertx v : new Vertx[] {plaintext, withOtherCertificate, friend}) {
        if (v != null) {
          await(v.close(), 30);
        }
      }
      await(node.close(), 60);
    }
  }

  /** The outsider can reach neither the deployer nor the node's task address, nor receive from the node. */
  private static void assertCutOff(ClusterNode node, Vertx outsider) throws Exception {
    for (String address : new String[] {DEPLOYER, NodeVerticle.tasksAddress(node.nodeId())}) {
      ReplyException refused = requestFailure(outsider, address, 0);
      assertThat(refused.failureType()).as(address + ": " + refused)
          .isIn(ReplyFailure.TIMEOUT, ReplyFailure.NO_HANDLERS, ReplyFailure.ERROR);
    }
    AtomicInteger received = new AtomicInteger();
    String address = "eddy.test.outsider." + UUID.randomUUID();
    await(outsider.eventBus().consumer(address, m -> {
      received.incrementAndGet();
      m.reply("got it");
    }).completion(), 10);
    // the node learns of the consumer through Hazelcast, but cannot deliver to it
    Throwable failure = null;
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        await(node.vertx().eventBus().request(address, "deploy?", new DeliveryOptions().setSendTimeout(3_000)), 10);
        break;
      } catch (ExecutionException e) {
        failure = e.getCause();
        if (!(failure instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS)) {
          break; // the subscription is known: this failure is the connection's
        }
      }
    }
    assertThat(failure).as("a send from the node to the outsider fails").isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureType()).isNotEqualTo(ReplyFailure.NO_HANDLERS);
    assertThat(received.get()).as("messages the outsider received").isZero();
  }

  /** The node delivers to a consumer of {@code peer} and gets its reply. */
  private static void assertReceives(Vertx nodeVertx, Vertx peer, String address) throws Exception {
    await(peer.eventBus().consumer(address, m -> m.reply("pong")).completion(), 10);
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        Object reply = await(nodeVertx.eventBus().request(address, "ping", new DeliveryOptions().setSendTimeout(5_000)),
            10).body();
        assertThat(reply).isEqualTo("pong");
        return;
      } catch (ExecutionException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the subscription is still on its way through Hazelcast
      }
    }
  }

  /**
   * Sends a cancel of an unknown job and returns how the request failed. With {@code untilRecipientMillis > 0}, asks
   * again while no handler is registered yet (the leader is being elected), up to that long.
   */
  private static ReplyException requestFailure(Vertx from, String address, long untilRecipientMillis) throws Exception {
    long deadline = System.currentTimeMillis() + untilRecipientMillis;
    while (true) {
      try {
        Object reply = await(from.eventBus().request(address, new io.eddy.deployer.control.JobRequest.Cancel("nope"),
            io.eddy.deployer.control.DeployerMessage.delivery(5_000)), 15).body();
        throw new AssertionError("expected a failure from " + address + ", got " + reply);
      } catch (ExecutionException e) {
        ReplyException r = (ReplyException) e.getCause();
        if (untilRecipientMillis > 0 && r.failureType() != ReplyFailure.RECIPIENT_FAILURE
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
          continue;
        }
        return r;
      }
    }
  }

  private static Vertx join(NodeConfig conf, VertxOptions options) throws Exception {
    Vertx v = await(Vertx.builder().with(options)
        .withClusterManager(new HazelcastClusterManager(ClusterNode.hazelcastConfig(conf))).buildClustered(), 90);
    io.eddy.deployer.control.DeployerMessage.registerCodecOn(v.eventBus()); // speaks the deployers' requests
    return v;
  }

  private static int freePort() throws Exception {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
