package io.eddy.deployer.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every deployer request crosses the wire field by field and comes back equal; a damaged message is refused. */
class DeployerMessageCodecTest {
  private final DeployerMessageCodec codec = new DeployerMessageCodec();

  private DeployerMessage roundTrip(DeployerMessage m) {
    Buffer b = Buffer.buffer().appendString("header"); // the body need not start the buffer
    codec.encodeToWire(b, m);
    return codec.decodeFromWire("header".length(), b);
  }

  @Test
  void everyRequestComesBackEqual() {
    List<DeployerMessage> all = List.of(
        new JobRequest.Submit("{\"job\":\"x.Y\",\"name\":\"ü-job\"}", "/tmp/savepoints/sp-1"),
        new JobRequest.Submit("{}", null),
        new JobRequest.Cancel("q5-1a2b3c4d"),
        new JobRequest.TakeSavepoint("q5-1a2b3c4d", null, false),
        new JobRequest.TakeSavepoint("q5-1a2b3c4d", "/data/sp", true),
        new JobRequest.Rescale("q5-1a2b3c4d", 7),
        new JobRequest.Drain("node-2"),
        new NodeRequest.Deploy("q5-1a2b3c4d", 3, "{\"parallelism\":2}", "POST /jobs", List.of("n1", "n2"),
            List.of(new NodeRequest.Subtask(0, 0), new NodeRequest.Subtask(1, 1)), "{\"checkpointId\":4}"),
        new NodeRequest.Deploy("j", 0, "{}", null, List.of(), List.of(), null),
        new NodeRequest.Undeploy("q5-1a2b3c4d", 3));
    for (DeployerMessage m : all) {
      assertThat(roundTrip(m)).isEqualTo(m);
    }
  }

  @Test
  void locallyTheRecordItselfIsHandedOver() {
    JobRequest.Cancel c = new JobRequest.Cancel("a");
    assertThat(codec.transform(c)).isSameAs(c);
  }

  @Test
  void anUnknownTagOrACountPastTheEndIsRefused() {
    assertThatThrownBy(() -> codec.decodeFromWire(0, Buffer.buffer().appendByte((byte) 99)))
        .hasMessageContaining("unknown deployer message tag 99");
    Buffer tooMany = Buffer.buffer();
    codec.encodeToWire(tooMany, new NodeRequest.Deploy("j", 0, "{}", "s", List.of("n"), List.of(), null));
    // the slot count sits after the tag, the id (4 + 1), the attempt (4), the job (4 + 2) and the source (4 + 1)
    tooMany.setInt(1 + 5 + 4 + 6 + 5, 1_000_000);
    assertThatThrownBy(() -> codec.decodeFromWire(0, tooMany)).hasMessageContaining("a count of 1000000");
    Buffer longString = Buffer.buffer();
    codec.encodeToWire(longString, new JobRequest.Cancel("abc"));
    longString.setInt(1, 1 << 20);
    assertThatThrownBy(() -> codec.decodeFromWire(0, longString)).hasMessageContaining("a string of 1048576 bytes");
  }
}
