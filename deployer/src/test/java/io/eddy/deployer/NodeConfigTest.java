package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.config.ConfigException;
import java.nio.file.Path;
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
        .hasMessageContaining("key 'members[0]': expected a host or host:port (no port range)");
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
}
