package io.eddy.cli;

import static io.eddy.cli.ClusterProcesses.figure;
import static io.eddy.cli.ClusterProcesses.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.cli.ClusterProcesses.Node;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The q5 exactly-once job with {@code "scaling": {"mode": "adaptive"}} on bundle node processes (one slot each): it
 * runs at the parallelism the free slots allow and rescales when a node joins or leaves gracefully, without losing
 * or repeating output (the committed output is the plain-loop oracle exactly). Prints, as {@code figure:} lines,
 * how long the rescaling took (run by failsafe after {@code package}).
 */
@Timeout(300)
class ClusterScalingIT extends ClusterProcessTest {
  private static final long EVENTS = 600_000; // six 10 s windows of event time
  private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration RESCALE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration EXIT_AFTER_SIGTERM = Duration.ofSeconds(60);


  private static JsonObject adaptive() {
    return new JsonObject().put("mode", "adaptive");
  }

  @Test
  void adaptiveJobRescalesWhenANodeJoins() throws Exception {
    // 40 s: long enough for a third JVM to start and join while the job runs on the two others (that start takes
    // 15-20 s on a 2-core machine under the job's load)
    List<Node> two = cluster.startNodes(2, 1);
    cluster.awaitMembers(two, two, Duration.ofSeconds(30));
    Q5ClusterJob job = new Q5ClusterJob(cluster, EVENTS, 15_000, 2, adaptive());
    job.submit(two.get(0));
    JsonObject before = job.await(two, "RUNNING at parallelism 2 on both nodes", RUNNING_TIMEOUT,
        Q5ClusterJob.runningSpread(2, two));
    int attemptBefore = Q5ClusterJob.attempt(before);
    job.awaitCheckpointAndCommits(two, 0, RUNNING_TIMEOUT);

    long starting = System.nanoTime();
    Node third = cluster.startNode("n3", 1);
    List<Node> all = cluster.nodes();
    int linesAtJoin = job.committedCount();
    job.assertStillRunning(two.get(0), "the third node has joined");
    JsonObject after = job.await(all, "RUNNING at parallelism 3 with subtask i of every vertex on a distinct node",
        RESCALE_TIMEOUT, Q5ClusterJob.runningSpread(3, all));
    long rescaled = System.nanoTime();
    figure("ClusterScalingIT.adaptiveJobRescalesWhenANodeJoins: third node start -> joined line: %.2f s (%d of %d "
            + "lines committed then); joined line -> RUNNING at parallelism 3 (attempt %s -> %s): %.2f s; "
            + "pause (sources stop at the barrier -> new attempt running): %s ms",
        seconds(starting, third.joinedNanos()), linesAtJoin, job.oracle().size(), attemptBefore,
        after.getValue("attempt"), seconds(third.joinedNanos(), rescaled), pauseMillis(after));

    assertThat(Q5ClusterJob.nodes(after)).as("nodes running the job after the rescale").contains(third.id());
    assertThat(Q5ClusterJob.attempt(after)).as("attempt after a rescale (one redeployment at least)")
        .isGreaterThan(attemptBefore);
    JsonObject done = job.await(all, "FINISHED", FINISH_TIMEOUT, s -> "FINISHED".equals(s.getString("state")));
    job.assertOutputIsTheOracle();
    assertThat(done.getJsonObject("metrics").getLong("sourceRecords"))
        .as("bids read over all attempts: the rescale's stopping checkpoint leaves nothing to replay").isEqualTo(EVENTS);
  }

  @Test
  void gracefulStopScalesDownWithoutLoss() throws Exception {
    List<Node> nodes = cluster.startNodes(3, 1);
    String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
    Q5ClusterJob job = new Q5ClusterJob(cluster, EVENTS, 40_000, 3, adaptive()); // 15 s
    job.submit(nodes.get(0));
    JsonObject before = job.await(nodes, "RUNNING at parallelism 3 with subtask i of every vertex on a distinct node",
        RUNNING_TIMEOUT, Q5ClusterJob.runningSpread(3, nodes));
    int attemptBefore = Q5ClusterJob.attempt(before);
    Node stopped = nodes.stream().filter(n -> !n.id().equals(leaderId)).findFirst().orElseThrow();
    List<Node> others = nodes.stream().filter(n -> n != stopped).toList();
    job.awaitCheckpointAndCommits(others, 5_000, RUNNING_TIMEOUT); // a whole window at least

    int linesBefore = job.committedCount();
    long stopping = System.nanoTime();
    CompletableFuture<Long> exited = cluster.sigterm(stopped);

    // polled while the node leaves: its exit may come after the rescale
    JsonObject after = job.await(others, "RUNNING at parallelism 2 (attempt above " + attemptBefore
            + ") on the two other nodes " + others,
        RESCALE_TIMEOUT, s -> s.getInteger("attempt", -1) > attemptBefore
            && Q5ClusterJob.runningSpread(2, others).test(s));
    long rescaled = System.nanoTime();
    int status = cluster.awaitExit(stopped, EXIT_AFTER_SIGTERM.minusNanos(System.nanoTime() - stopping));
    figure("ClusterScalingIT.gracefulStopScalesDownWithoutLoss: SIGTERM with %d of %d lines committed -> RUNNING at "
            + "parallelism 2 (attempt %d -> %s): %.2f s; SIGTERM -> exit %d: %.2f s; "
            + "pause (sources stop at the barrier -> new attempt running): %s ms",
        linesBefore, job.oracle().size(), attemptBefore, after.getValue("attempt"), seconds(stopping, rescaled),
        status, seconds(stopping, exited.join()), pauseMillis(after));
    assertThat(status).as("exit status of %s after SIGTERM", stopped).isIn(0, ClusterProcesses.EXIT_SIGTERM);

    JsonObject done = job.await(others, "FINISHED", FINISH_TIMEOUT, s -> "FINISHED".equals(s.getString("state")));
    job.assertOutputIsTheOracle();
    assertThat(done.getJsonObject("metrics").getLong("sourceRecords"))
        .as("bids read over all attempts: the drain's stopping checkpoint leaves nothing to replay").isEqualTo(EVENTS);
  }

  /** The leader's measure of the last rescale's pause: from the sources stopping at the barrier to the next attempt running. */
  private static Object pauseMillis(io.vertx.core.json.JsonObject status) {
    io.vertx.core.json.JsonObject m = status.getJsonObject("metrics", new io.vertx.core.json.JsonObject());
    return m.getValue("rescale.lastPauseMillis", "?") + " (stopping checkpoint "
        + m.getValue("rescale.lastStopCheckpointMillis", "?") + ")";
  }
}
