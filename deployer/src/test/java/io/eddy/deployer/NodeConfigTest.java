package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  @Test
  void emptyFileGivesTheDefaults() {
    NodeConfig c = NodeConfig.parse("{}", "node.json");
    assertThat(c.clusterName()).isEqualTo("eddy");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.members()).containsExactly("127.0.0.1");
    assertThat(c.hazelcastPort()).isEqualTo(5701);
    assertThat(c.eventBusPort()).isZero();
    assertThat(c.slots()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.httpPort()).isEqualTo(8081);
    assertThat(c.heartbeatSeconds()).isEqualTo(1);
    assertThat(c.maxNoHeartbeatSeconds()).isEqualTo(5);
    assertThat(c.checkpointDirectory()).isNull();
  }

  @Test
  void theShippedFileIsValid() {
    NodeConfig c = NodeConfig.load(Path.of("../conf/node.json"));
    assertThat(c.clusterName()).isEqualTo("eddy");
    assertThat(c.withHttpPort(9000).httpPort()).isEqualTo(9000);
  }

  @Test
  void valuesAreRead() {
    NodeConfig c = NodeConfig.parse("{\"clusterName\":\"c1\",\"members\":[\"10.0.0.1\",\"10.0.0.2:5702\"],"
        + "\"slots\":3,\"httpPort\":0,\"checkpointDirectory\":\"/tmp/x\"}", "n.json");
    assertThat(c.members()).isEqualTo(List.of("10.0.0.1", "10.0.0.2:5702"));
    assertThat(c.slots()).isEqualTo(3);
    assertThat(c.httpPort()).isZero();
    assertThat(c.checkpointDirectory()).isEqualTo("/tmp/x");
  }

  @Test
  void problemsNameTheFileAndTheKey() {
    assertThatThrownBy(() -> NodeConfig.parse("{\"slot\":2}", "n.json"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("n.json: unknown key 'slot'");
    assertThatThrownBy(() -> NodeConfig.parse("{\"slots\":0}", "n.json"))
        .hasMessage("n.json: key 'slots': must be between 1 and 4096, found 0");
    assertThatThrownBy(() -> NodeConfig.parse("{\"members\":[\"127.0.0.1:5701-5720\"]}", "n.json"))
        .hasMessageContaining("key 'members[0]': expected a host, host:port, an IPv6 address or [IPv6]:port (no port range)");
    assertThatThrownBy(() -> NodeConfig.parse("{\"members\":[]}", "n.json"))
        .hasMessage("n.json: key 'members': must not be empty");
    assertThatThrownBy(() -> NodeConfig.parse("{\"httpPort\":\"80\"}", "n.json"))
        .hasMessage("n.json: key 'httpPort': expected an integer, found \"80\"");
    assertThatThrownBy(() -> NodeConfig.parse("{\"heartbeatSeconds\":5,\"maxNoHeartbeatSeconds\":5}", "n.json"))
        .hasMessageStartingWith("n.json: key 'maxNoHeartbeatSeconds': must be greater than heartbeatSeconds");
    assertThatThrownBy(() -> NodeConfig.parse("[1]", "n.json"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("n.json: not valid JSON");
    assertThatThrownBy(() -> NodeConfig.load(Path.of("no/such/node.json")))
        .hasMessageStartingWith("no/such/node.json: cannot read file");
  }

  @Test
  void environmentAndSystemPropertiesOverrideTheFileInThatOrder(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("node.json"),
        "{\"host\":\"127.0.0.1\",\"httpPort\":8081,\"slots\":2,\"checkpointDirectory\":\"/from/file\"}");
    Map<String, String> env = Map.of("EDDY_NODE_HOST", "10.0.0.5", "EDDY_NODE_HTTP_PORT", "9000",
        "EDDY_NODE_CHECKPOINT_DIRECTORY", "/from/env", "EDDY_NODE_MEMBERS", "10.0.0.5, 10.0.0.6:5702",
        "EDDY_NODE_REST_TOKEN", "token-from-the-environment", "UNRELATED", "x");
    Map<String, String> props = Map.of("eddy.node.httpPort", "9100", "eddy.node.pathRoots", "/data/a,/data/b");
    NodeConfig c = NodeConfig.load(file, env, props);
    assertThat(c.host()).as("environment over file").isEqualTo("10.0.0.5");
    assertThat(c.httpPort()).as("property over environment").isEqualTo(9100);
    assertThat(c.slots()).as("file, nothing overrides it").isEqualTo(2);
    assertThat(c.checkpointDirectory()).isEqualTo("/from/env");
    assertThat(c.members()).containsExactly("10.0.0.5", "10.0.0.6:5702");
    assertThat(c.pathRoots()).containsExactly("/data/a", "/data/b");
    assertThat(c.restToken()).isEqualTo("token-from-the-environment");
    assertThat(NodeConfig.load(file, Map.of(), Map.of()).httpPort()).isEqualTo(8081);
    assertThat(NodeConfig.load(null, env, Map.of()).httpPort()).as("no file: defaults plus overrides").isEqualTo(9000);
  }

  @Test
  void overrideNamesAndTheirErrors(@TempDir Path dir) throws Exception {
    assertThat(NodeConfig.envName("host")).isEqualTo("EDDY_NODE_HOST");
    assertThat(NodeConfig.envName("checkpointDirectory")).isEqualTo("EDDY_NODE_CHECKPOINT_DIRECTORY");
    assertThat(NodeConfig.envName("maxNoHeartbeatSeconds")).isEqualTo("EDDY_NODE_MAX_NO_HEARTBEAT_SECONDS");
    Path file = Files.writeString(dir.resolve("node.json"), "{}");
    assertThatThrownBy(() -> NodeConfig.load(file, Map.of("EDDY_NODE_HTTP_PORT", "eighty"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("environment variable EDDY_NODE_HTTP_PORT: key 'httpPort': expected an integer, found \"eighty\"");
    assertThatThrownBy(() -> NodeConfig.load(file, Map.of(), Map.of("eddy.node.slots", "0")))
        .hasMessage("system property eddy.node.slots: key 'slots': must be between 1 and 4096, found 0");
    assertThatThrownBy(() -> NodeConfig.load(file, Map.of(), Map.of("eddy.node.restToken", "short")))
        .hasMessageStartingWith("system property eddy.node.restToken: key 'restToken': expected 16 to 512 visible");
  }

  @Test
  void tlsFilesComeInSetsAndMustBeReadable(@TempDir Path dir) throws Exception {
    Path crt = Files.writeString(dir.resolve("n.crt"), "x");
    Path key = Files.writeString(dir.resolve("n.key"), "x");
    NodeConfig c = NodeConfig.parse("{\"restTlsCertificate\":\"" + crt + "\",\"restTlsKey\":\"" + key + "\"}", "n.json");
    assertThat(c.restTls()).isEqualTo(new NodeConfig.Tls(crt.toString(), key.toString(), null));
    assertThat(c.clusterTls()).isNull();
    assertThatThrownBy(() -> NodeConfig.parse("{\"restTlsCertificate\":\"" + crt + "\"}", "n.json"))
        .hasMessage("n.json: key 'restTlsKey': required with 'restTlsCertificate'");
    assertThatThrownBy(() -> NodeConfig.parse("{\"clusterTlsCertificate\":\"" + crt + "\",\"clusterTlsKey\":\""
        + key + "\",\"clusterTlsTrust\":\"" + dir.resolve("missing.crt") + "\"}", "n.json"))
        .hasMessage("n.json: key 'clusterTlsTrust': cannot read file " + dir.resolve("missing.crt"));
  }

  @Test
  void pathRootsDefaultToTheWorkingDirectoryAndTheCheckpointDirectory(@TempDir Path dir) {
    NodeConfig c = NodeConfig.parse("{\"checkpointDirectory\":\"" + dir.resolve("ckpt") + "\"}", "n.json");
    assertThat(c.pathPolicy().resolve("x", dir.resolve("ckpt/job").toString())).isEqualTo(dir.resolve("ckpt/job"));
    assertThat(c.pathPolicy().resolve("x", "target/sp")).isEqualTo(Path.of("target/sp").toAbsolutePath());
    assertThatThrownBy(() -> c.pathPolicy().resolve("x", dir.resolve("other").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is outside");
    NodeConfig only = NodeConfig.parse("{\"pathRoots\":[\"" + dir + "\"]}", "n.json");
    assertThatThrownBy(() -> only.pathPolicy().resolve("x", "target/sp")).hasMessageContaining("is outside");
  }

  @Test
  void hazelcastBindsOnlyTheConfiguredHostAndJoinsOnlyTheMembers() {
    com.hazelcast.config.Config hz = ClusterNode.hazelcastConfig(
        NodeConfig.parse("{\"host\":\"10.1.2.3\",\"members\":[\"10.1.2.3\",\"10.1.2.4:5702\"]}", "n.json"));
    assertThat(hz.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.local.localAddress")).isEqualTo("10.1.2.3");
    var join = hz.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.1.2.3", "10.1.2.4:5702");
    com.hazelcast.config.Config v6 = ClusterNode.hazelcastConfig(NodeConfig.parse("{\"host\":\"::1\"}", "n.json"));
    assertThat(v6.getProperty("hazelcast.local.localAddress")).isEqualTo("::1");
    assertThat(v6.getProperty("hazelcast.prefer.ipv4.stack")).isEqualTo("false");
    assertThat(v6.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
  }

  @Test
  void publicHostIsAdvertisedAndIpv6MembersAreAccepted() {
    NodeConfig c = NodeConfig.parse("{\"host\":\"10.0.0.5\",\"publicHost\":\"203.0.113.7\","
        + "\"members\":[\"::1\",\"[fd00::5]:5702\",\"10.0.0.6:5702\",\"node-7.example\"]}", "n.json");
    assertThat(c.advertisedHost()).isEqualTo("203.0.113.7");
    assertThat(NodeConfig.parse("{\"host\":\"10.0.0.5\"}", "n.json").advertisedHost()).isEqualTo("10.0.0.5");
    assertThat(ClusterNode.hazelcastConfig(c).getNetworkConfig().getPublicAddress()).isEqualTo("203.0.113.7");
    assertThat(ClusterNode.vertxOptions(c).getEventBusOptions().getClusterPublicHost()).isEqualTo("203.0.113.7");
    assertThat(ClusterNode.vertxOptions(c).getEventBusOptions().getHost()).isEqualTo("10.0.0.5");
    assertThatThrownBy(() -> NodeConfig.parse("{\"members\":[\"[fd00::5]:5702-5703\"]}", "n.json"))
        .hasMessageContaining("key 'members[0]'");
  }

  @Test
  void clusterSizeGivesTheQuorumAndDefaultsToALoneNode(@TempDir Path dir) throws Exception {
    NodeConfig lone = NodeConfig.parse("{}", "n.json");
    assertThat(lone.clusterSize()).isEqualTo(1);
    assertThat(lone.quorum()).as("a lone node leads by itself").isEqualTo(1);
    for (int[] sizeQuorum : new int[][] {{1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {7, 4}}) {
      NodeConfig c = NodeConfig.parse("{\"clusterSize\":" + sizeQuorum[0] + "}", "n.json");
      assertThat(c.quorum()).as("quorum of %d nodes", sizeQuorum[0]).isEqualTo(sizeQuorum[1]);
    }
    assertThat(lone.withClusterSize(3).withHttpPort(0).withSlots(2).clusterSize())
        .as("copies keep the size").isEqualTo(3);
    assertThatThrownBy(() -> NodeConfig.parse("{\"clusterSize\":0}", "n.json"))
        .isInstanceOf(ConfigException.class).hasMessage("n.json: key 'clusterSize': must be between 1 and 1000, found 0");
    assertThatThrownBy(() -> NodeConfig.parse("{\"clusterSize\":\"3\"}", "n.json"))
        .hasMessage("n.json: key 'clusterSize': expected an integer, found \"3\"");
    Path file = Files.writeString(dir.resolve("node.json"), "{\"clusterSize\":3}");
    assertThat(NodeConfig.envName("clusterSize")).isEqualTo("EDDY_NODE_CLUSTER_SIZE");
    assertThat(NodeConfig.load(file, Map.of("EDDY_NODE_CLUSTER_SIZE", "5"), Map.of()).clusterSize()).isEqualTo(5);
    assertThat(NodeConfig.load(file, Map.of("EDDY_NODE_CLUSTER_SIZE", "5"), Map.of("eddy.node.clusterSize", "7"))
        .clusterSize()).isEqualTo(7);
    assertThatThrownBy(() -> NodeConfig.load(file, Map.of("EDDY_NODE_CLUSTER_SIZE", "three"), Map.of()))
        .hasMessage("environment variable EDDY_NODE_CLUSTER_SIZE: key 'clusterSize': expected an integer, found \"three\"");
  }

  @Test
  void aNodeMayLeadOnlyWithAQuorumOfTheClusterSize() {
    NodeConfig three = NodeConfig.parse("{\"clusterSize\":3}", "n.json");
    assertThat(DeployerVerticle.quorumProblem(3, three)).isNull();
    assertThat(DeployerVerticle.quorumProblem(2, three)).isNull();
    assertThat(DeployerVerticle.quorumProblem(1, three))
        .isEqualTo("no quorum: this node sees 1 of the cluster's 3 nodes (key 'clusterSize'); leading needs 2");
    assertThat(DeployerVerticle.quorumProblem(1, NodeConfig.parse("{}", "n.json"))).isNull();
  }

  @Test
  void partitionedSidesLookForEachOtherWithinSeconds() {
    com.hazelcast.config.Config hz = ClusterNode.hazelcastConfig(NodeConfig.parse("{}", "n.json"));
    assertThat(hz.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("5");
    assertThat(hz.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("5");
  }
}
