package io.eddy.cli;

import static io.eddy.cli.ClusterProcesses.figure;
import static io.eddy.cli.ClusterProcesses.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.cli.ClusterProcesses.Node;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three bundle processes ({@code java -jar eddy-examples.jar node}) on loopback form one cluster with one leader;
 * when a node dies or stops, the others list the survivors and agree on a leader among them (the membership part of
 * the multi-JVM tests, and a check of {@link ClusterProcesses} itself; run by failsafe after {@code package}).
 */
@Timeout(240)
class ClusterNodesIT extends ClusterProcessTest {
  private static final Duration SURVIVORS_TIMEOUT = Duration.ofSeconds(15);


  @Test
  void threeNodesFormOneClusterAndTheSurvivorsElectANewLeaderWhenTheLeaderIsKilled() throws Exception {
    List<Node> nodes = cluster.startNodes(3, 1);
    assertThat(nodes.stream().map(Node::id).distinct()).as("node ids").hasSize(3);

    String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
    for (Node n : nodes) {
      List<JsonObject> listed = cluster.members(n).stream().map(o -> (JsonObject) o).toList();
      assertThat(listed).as("GET /nodes on %s", n).hasSize(3);
      assertThat(listed.stream().filter(o -> o.getBoolean("leader"))).as("leaders listed by %s", n).hasSize(1);
      for (JsonObject o : listed) {
        Node listedNode = cluster.byId(o.getString("id"));
        assertThat(o.getString("host")).as("host of %s", listedNode).isEqualTo("127.0.0.1");
        assertThat(o.getInteger("httpPort")).as("httpPort of %s", listedNode).isEqualTo(listedNode.httpPort());
        assertThat(o.getInteger("slots")).as("slots of %s", listedNode).isEqualTo(1);
        assertThat(o.getInteger("usedSlots")).as("usedSlots of %s", listedNode).isZero();
      }
    }

    Node leader = cluster.byId(leaderId);
    long killed = System.nanoTime();
    cluster.kill9(leader);
    List<Node> survivors = nodes.stream().filter(n -> n != leader).toList();
    String newLeader = cluster.awaitMembers(survivors, survivors, SURVIVORS_TIMEOUT);
    long elected = System.nanoTime();

    assertThat(newLeader).as("new leader").isNotEqualTo(leaderId)
        .isIn(survivors.stream().map(Node::id).toList());
    figure("ClusterNodesIT: kill -9 of the leader -> survivors list 2 members and agree on a new leader: %.2f s",
        seconds(killed, elected));
  }

  @Test
  void aNodeStoppedWithSigtermLeavesTheClusterAtOnce() throws Exception {
    List<Node> nodes = cluster.startNodes(3, 1);
    String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
    Node stopped = nodes.stream().filter(n -> !n.id().equals(leaderId)).findFirst().orElseThrow();

    long stopping = System.nanoTime();
    int status = cluster.stopGracefully(stopped, ClusterProcesses.EXIT_TIMEOUT);
    long exited = System.nanoTime();
    assertThat(status).as("exit status of %s after SIGTERM", stopped)
        .isIn(0, ClusterProcesses.EXIT_SIGTERM);

    List<Node> survivors = nodes.stream().filter(n -> n != stopped).toList();
    // a member that leaves says so: well below the 5 s a silent one takes to be removed
    String leaderAfter = cluster.awaitMembers(survivors, survivors, SURVIVORS_TIMEOUT);
    long listed = System.nanoTime();
    assertThat(leaderAfter).as("the leader stays").isEqualTo(leaderId);
    figure("ClusterNodesIT: SIGTERM of a non-leader -> exit: %.2f s, -> survivors list 2 members: %.2f s",
        seconds(stopping, exited), seconds(stopping, listed));
  }
}
