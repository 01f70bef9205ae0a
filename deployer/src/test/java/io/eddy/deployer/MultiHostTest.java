package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two "hosts" on this machine (127.0.0.2 and 127.0.0.3): each node binds Hazelcast, the event bus and REST to its own
 * address only, joins over the member list, and advertises its address.
 */
class MultiHostTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void nodesBindTheirOwnAddressOnlyAndFindEachOtherThroughTheMemberList() throws Exception {
    String cluster = "eddy-hosts-" + UUID.randomUUID().toString().substring(0, 8);
    int hz = freePort("127.0.0.2");
    List<String> members = List.of("127.0.0.2:" + hz, "127.0.0.3:" + hz);
    NodeConfig two = node(cluster, "127.0.0.2", hz, members);
    NodeConfig three = node(cluster, "127.0.0.3", hz, members);
    ClusterNode a = await(ClusterNode.start(two), 60);
    ClusterNode b = null;
    try {
      b = await(ClusterNode.start(three), 60);
      assertThat(a.members()).hasSize(2);
      assertThat(a.hazelcastAddress()).startsWith("127.0.0.2:");
      assertThat(b.hazelcastAddress()).startsWith("127.0.0.3:");

      HttpClient http = HttpClient.newHttpClient();
      JsonArray nodes = null;
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        nodes = new JsonArray(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.3:" + b.httpPort() + "/nodes"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        if (nodes.size() == 2) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(nodes.stream().map(n -> ((JsonObject) n).getString("host")).sorted().toList())
          .containsExactly("127.0.0.2", "127.0.0.3");

      // nothing of node a listens on another address of this machine
      int hzPort = Integer.parseInt(a.hazelcastAddress().substring(a.hazelcastAddress().indexOf(':') + 1));
      for (int port : new int[] {hzPort, a.httpPort()}) {
        try (Socket ok = new Socket()) {
          ok.connect(new InetSocketAddress("127.0.0.2", port), 2_000);
        }
        for (String other : new String[] {"127.0.0.1", "127.0.0.4"}) {
          assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(other, port), 2_000);
            }
          }).as(other + ":" + port).isInstanceOf(ConnectException.class);
        }
      }
    } finally {
      if (b != null) {
        await(b.close(), 30);
      }
      await(a.close(), 30);
    }
  }

  private static NodeConfig node(String cluster, String host, int hazelcastPort, List<String> members) throws Exception {
    JsonObject o = new JsonObject().put("clusterName", cluster).put("host", host).put("hazelcastPort", hazelcastPort)
        .put("members", new JsonArray(members)).put("httpPort", freePort(host)).put("slots", 1);
    return NodeConfig.parse(o.encode(), host + ".json");
  }

  private static int freePort(String host) throws Exception {
    return io.eddy.testing.FreePorts.next(host); // below the ephemeral range: see FreePorts
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
