package io.eddy.cli;

import static io.eddy.cli.ClusterProcesses.figure;
import static io.eddy.cli.ClusterProcesses.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.cli.ClusterProcesses.Node;
import io.eddy.cli.ClusterProcesses.Response;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Split-brain protection of the leader: three bundle node processes with {@code clusterSize} 3 (quorum 2) run the q5
 * exactly-once job at parallelism 3; two of them are stopped with {@code kill -STOP}: the two that do not lead, or
 * the leader and one other. The survivor, alone, must not lead: {@code /ready} answers 503, no leader is named, the
 * tasks it hosts are cancelled, and for an observation window no attempt starts and nothing is written under the
 * job's checkpoint directory (no checkpoint, no registry copy). After {@code kill -CONT} the quorum is back, a leader
 * carries the job on from its latest completed checkpoint, and the committed output is the plain-loop oracle exactly.
 */
@Timeout(360)
class ClusterQuorumIT extends ClusterProcessTest {
  private static final long EVENTS = 600_000; // six 10 s windows of event time
  private static final long RATE = 20_000; // 30 s of input: the job outlasts the steps before the freeze
  private static final int MIN_COMMITTED_LINES = 5_000; // at least one whole window
  private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(60);
  /** maxNoHeartbeatSeconds (5) plus slack for a loaded machine. */
  private static final Duration QUORUM_LOSS_TIMEOUT = Duration.ofSeconds(60);
  /**
   * How long the lone node is watched for a new attempt or a checkpoint: 20 checkpoint intervals (250 ms), 10
   * restart delays (500 ms) and 25 quorum checks (200 ms). This is an observation of an absence, not a wait for
   * something to happen.
   */
  private static final Duration OBSERVATION = Duration.ofSeconds(5);
  /** Hazelcast's merge of the healed sides runs every 5 s; then a leader is elected and the job redeployed. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(150);

  /** The leader is left alone: it stops leading. */
  @Test
  void aLeaderWithoutQuorumStopsLeadingAndTheJobCarriesOnOnceTheQuorumIsBack() throws Exception {
    survivorWithoutQuorum(true);
  }

  /** A node that does not lead is left alone: the leader's lock is released on its side, yet it does not take over. */
  @Test
  void aLoneNodeDoesNotTakeOverFromTheStoppedLeader() throws Exception {
    survivorWithoutQuorum(false);
  }

  private void survivorWithoutQuorum(boolean survivorLeads) throws Exception {
    String test = survivorLeads ? "leader alone" : "non-leader alone";
    cluster.nodeSetting("clusterSize", 3);
    List<Node> nodes = cluster.startNodes(3, 1);
    String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
    Node leader = cluster.byId(leaderId);
    Node survivor = survivorLeads ? leader : nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    List<Node> frozen = nodes.stream().filter(n -> n != survivor).toList();
    for (Node n : nodes) {
      Response ready = cluster.get(n, "/ready");
      assertThat(ready.status()).as("GET /ready on %s with all three nodes up: %s", n, ready).isEqualTo(200);
    }

    Q5ClusterJob job = new Q5ClusterJob(cluster, EVENTS, RATE, 3, null);
    job.submit(survivor);
    JsonObject running = job.await(nodes, "RUNNING at parallelism 3 with subtask i of every vertex on a distinct node",
        RUNNING_TIMEOUT, Q5ClusterJob.runningSpread(3, nodes));
    int attemptBefore = Q5ClusterJob.attempt(running);
    job.awaitCheckpointAndCommits(nodes, MIN_COMMITTED_LINES, RUNNING_TIMEOUT);
    assertThat(taskSeries(survivor, job.id)).as("the job's task series on %s before the freeze", survivor)
        .isPositive();

    long freeze = System.nanoTime();
    for (Node n : frozen) {
      cluster.freeze(n);
    }

    // the lone node notices that it sees 1 of 3 nodes, below the quorum of 2
    cluster.awaitCondition(survivor + " answers GET /ready with 503 for want of a quorum", QUORUM_LOSS_TIMEOUT, () -> {
      Response r = cluster.get(survivor, "/ready");
      return r.status() == 503 && r.body().contains("no quorum");
    });
    long noticed = System.nanoTime();
    cluster.awaitCondition(survivor + " names no leader and runs no task of the job any more", QUORUM_LOSS_TIMEOUT,
        () -> cluster.leaderId(survivor).isEmpty() && taskSeries(survivor, job.id) == 0);
    Response ready = cluster.get(survivor, "/ready");
    assertThat(ready.json().getString("error")).as("the reason /ready gives on %s", survivor)
        .isEqualTo("no quorum: this node sees 1 of the cluster's 3 nodes (key 'clusterSize'); leading needs 2");

    // a failover may have started between the two nodes' departures, while 2 of 3 were still a quorum
    Response atLoss = cluster.get(survivor, "/jobs/" + job.id);
    int attemptAtLoss = atLoss.status() == 200 ? atLoss.json().getInteger("attempt") : attemptBefore;
    Path jobDir = job.checkpoints.resolve(CheckpointStorage.CLUSTER_JOBS).resolve(job.name);
    Map<String, Long> filesAtLoss = files(jobDir);
    long checkpointAtLoss = job.latestCheckpoint().orElseThrow();
    long observeUntil = System.nanoTime() + OBSERVATION.toNanos();
    int polls = 0;
    while (System.nanoTime() < observeUntil) {
      Response r = cluster.get(survivor, "/ready");
      assertThat(r.status()).as("GET /ready on the lone %s while the others are stopped: %s", survivor, r)
          .isEqualTo(503);
      assertThat(cluster.leaderId(survivor)).as("the leader %s names while alone", survivor).isEmpty();
      Response status = cluster.get(survivor, "/jobs/" + job.id);
      if (status.status() == 200) { // the entry may have lived on the stopped nodes only
        assertThat(status.json().getInteger("attempt")).as("the job's attempt on the lone %s: %s", survivor, status)
            .isEqualTo(attemptAtLoss);
      }
      assertThat(files(jobDir)).as("files under %s (checkpoints and the registry copy) while no node leads", jobDir)
          .isEqualTo(filesAtLoss);
      assertThat(taskSeries(survivor, job.id)).as("the job's tasks on the lone %s", survivor).isZero();
      polls++;
      Thread.sleep(100); // the pace of an observation, not a wait for a condition
    }
    assertThat(job.latestCheckpoint()).as("the latest completed checkpoint after the observation")
        .contains(checkpointAtLoss);

    long thaw = System.nanoTime();
    for (Node n : frozen) {
      cluster.thaw(n);
    }
    JsonObject recovered = job.await(nodes, "RUNNING again with an attempt above " + attemptBefore, RECOVERY_TIMEOUT,
        s -> "RUNNING".equals(s.getString("state")) && s.getInteger("attempt", -1) > attemptBefore);
    long runningAgain = System.nanoTime();
    figure("ClusterQuorumIT (%s): kill -STOP of 2 of 3 -> the survivor reports no quorum: %.2f s; %d observations over"
            + " %d s with no leader, no attempt and no file written (checkpoint %d the latest); kill -CONT -> attempt %d"
            + " RUNNING at parallelism %s: %.2f s",
        test, seconds(freeze, noticed), polls, OBSERVATION.toSeconds(), checkpointAtLoss, recovered.getInteger("attempt"),
        recovered.getValue("parallelism"), seconds(thaw, runningAgain));

    job.await(nodes, "FINISHED", FINISH_TIMEOUT, s -> "FINISHED".equals(s.getString("state")));
    job.assertOutputIsTheOracle();
    cluster.awaitCondition("every node ready again, with one leader among all three", RECOVERY_TIMEOUT, () -> {
      for (Node n : nodes) {
        if (cluster.get(n, "/ready").status() != 200) {
          return false;
        }
      }
      return true;
    });
  }

  /** @return how many {@code eddy_task_records_in_total} series of the job the node exports (one per task it runs) */
  private long taskSeries(Node node, String jobId) throws Exception {
    Response r = cluster.get(node, "/metrics");
    assertThat(r.status()).as("GET /metrics on %s", node).isEqualTo(200);
    return r.body().lines().filter(l -> l.startsWith("eddy_task_records_in_total{"))
        .filter(l -> l.contains("job=\"" + jobId + "\"")).count();
  }

  /** @return every regular file under {@code dir} with its size and modification time folded in */
  private static Map<String, Long> files(Path dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(f)) {
          out.put(dir.relativize(f).toString(), Files.size(f) * 31 + Files.getLastModifiedTime(f).toMillis());
        }
      }
    }
    return out;
  }
}
