package io.eddy.cli;

import static io.eddy.cli.ClusterProcesses.figure;
import static io.eddy.cli.ClusterProcesses.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.cli.ClusterProcesses.Node;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The q5 exactly-once job at parallelism 3 on three bundle node processes (one slot each, so one subtask of every
 * vertex per node); one node is killed with {@code kill -9} after a completed checkpoint and some committed output.
 * The job fails over from its latest checkpoint onto the two survivors (at parallelism 2), finishes, and its
 * committed output is the plain-loop oracle exactly. Prints, as {@code figure:} lines, the time from the kill to
 * the job running again and to its first newly committed file (run by failsafe after {@code package}).
 */
@Timeout(300)
class ClusterFailoverIT extends ClusterProcessTest {
  private static final long EVENTS = 600_000; // six 10 s windows of event time
  // 30 s: the job must outlast the test's steps before the kill (running, a checkpoint, a committed window,
  // then the kill) even on a loaded machine, or it finishes before the failover the test is about
  private static final long RATE = 20_000;
  private static final int MIN_COMMITTED_LINES = 5_000; // at least one whole window
  private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(120);


  @Test
  void killNonLeaderNode() throws Exception {
    killANodeAndRecover(false, false);
  }

  @Test
  void killLeaderNode() throws Exception {
    killANodeAndRecover(true, false);
  }

  /** A hung node (SIGSTOP) is only noticed by its missing heartbeats: after {@code maxNoHeartbeatSeconds}. */
  @Test
  void freezeNonLeaderNode() throws Exception {
    killANodeAndRecover(false, true);
  }

  private void killANodeAndRecover(boolean leader, boolean freeze) throws Exception {
    String test = freeze ? "freezeNonLeaderNode" : leader ? "killLeaderNode" : "killNonLeaderNode";
    List<Node> nodes = cluster.startNodes(3, 1);
    String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
    Node leaderNode = cluster.byId(leaderId);
    Node victim = leader ? leaderNode : nodes.stream().filter(n -> n != leaderNode).findFirst().orElseThrow();
    List<Node> survivors = nodes.stream().filter(n -> n != victim).toList();

    Q5ClusterJob job = new Q5ClusterJob(cluster, EVENTS, RATE, 3, null);
    // submitted to a node that is not the leader: the contract forwards it
    job.submit(nodes.stream().filter(n -> n != leaderNode).findFirst().orElseThrow());
    JsonObject running = job.await(nodes, "RUNNING at parallelism 3 with subtask i of every vertex on a distinct node",
        RUNNING_TIMEOUT, Q5ClusterJob.runningSpread(3, nodes));
    int attemptBefore = Q5ClusterJob.attempt(running);
    job.awaitCheckpointAndCommits(survivors, MIN_COMMITTED_LINES, RUNNING_TIMEOUT);
    assertThat(Q5ClusterJob.nodes(job.status(survivors.get(0)))).as("nodes running the job before the kill")
        .contains(victim.id());

    List<Long> listedBefore = Q5ClusterJob.completedIds(job.checkpoints(survivors.get(0)));
    assertThat(listedBefore).as("checkpoints listed before the kill").isNotEmpty();
    long checkpointBefore = job.latestCheckpoint().orElseThrow();
    int linesBefore = job.committedCount();
    Set<String> filesAtKill = job.committedFileNames();
    long killEpochMillis = System.currentTimeMillis();
    long kill = System.nanoTime();
    if (freeze) {
      cluster.freeze(victim);
    } else {
      cluster.kill9(victim);
    }

    JsonObject recovered = job.await(survivors, "RUNNING again with an attempt above " + attemptBefore,
        RECOVERY_TIMEOUT, s -> "RUNNING".equals(s.getString("state")) && s.getInteger("attempt", -1) > attemptBefore);
    long runningAgain = System.nanoTime();
    Set<String> filesAtRecovery = job.committedFileNames();
    // the checkpoint history survives the kill, also of the leader: the newest one listed before is listed still
    assertThat(Q5ClusterJob.completedIds(job.checkpoints(survivors.get(0))))
        .as("GET /jobs/%s/checkpoints after the kill", job.id).contains(listedBefore.get(0));

    String firstNewFile = "none before the job finished";
    long[] newFileAt = {-1};
    cluster.awaitCondition("a newly committed file or the job finished", RECOVERY_TIMEOUT, () -> {
      if (!new HashSet<>(filesAtRecovery).containsAll(job.committedFileNames())) {
        newFileAt[0] = System.nanoTime();
        return true;
      }
      return "FINISHED".equals(job.status(survivors.get(0)).getString("state"));
    });
    if (newFileAt[0] > 0) {
      firstNewFile = String.format(java.util.Locale.ROOT, "%.2f s", seconds(kill, newFileAt[0]));
    }

    // printed before the remaining checks, so that a failing run shows it too
    long noticedAt = recovered.getJsonObject("metrics", new JsonObject()).getLong("failover.noticedAtEpochMillis", -1L);
    figure("ClusterFailoverIT.%s: kill -> the (new) leader notices the loss: %s", test,
        noticedAt < 0 ? "not reported" : (noticedAt - killEpochMillis) + " ms");
    figure("ClusterFailoverIT.%s: kill (-9 or -STOP, as the test says) after chk-%d with %d of %d lines committed; "
            + "kill -> attempt %d RUNNING (at parallelism %s): %.2f s; kill -> first newly committed file after that: %s; "
            + "files committed between kill and recovery: %d",
        test, checkpointBefore, linesBefore, job.oracle().size(), recovered.getInteger("attempt"),
        recovered.getValue("parallelism"), seconds(kill, runningAgain), firstNewFile,
        filesAtRecovery.stream().filter(f -> !filesAtKill.contains(f)).count());

    // the contract: at a lower parallelism when the slots no longer suffice (2 slots left), spread over the survivors
    job.await(survivors, "RUNNING at parallelism 2 (attempt above " + attemptBefore + ") spread over the survivors "
        + survivors, Duration.ofSeconds(10),
        s -> s.getInteger("attempt", -1) > attemptBefore && Q5ClusterJob.runningSpread(2, survivors).test(s));

    job.await(survivors, "FINISHED", FINISH_TIMEOUT, s -> "FINISHED".equals(s.getString("state")));
    job.assertOutputIsTheOracle();
  }
}
