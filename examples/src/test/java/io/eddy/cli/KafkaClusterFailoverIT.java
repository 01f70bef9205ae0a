package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.checkpoint.CheckpointStorage;
import io.eddy.cli.ClusterProcesses.Node;
import io.eddy.cli.ClusterProcesses.Response;
import io.eddy.connectors.kafka.KafkaTestBroker;
import io.eddy.kafka.OrderData;
import io.eddy.testing.Checkpointing;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka ETL job ({@code conf/jobs/kafka-etl.json}, exactly-once) at parallelism 3 on three bundle node
 * processes; a node is killed with {@code kill -9} after a completed checkpoint and some committed output. The job
 * fails over onto the survivors, reads the rest of the input, and a {@code read_committed} reader sees every window
 * total exactly once, equal to the plain-loop oracle; no transaction of the job stays open. The same holds when the
 * broker, not a node, goes away for a while: the checkpoints that cannot complete meanwhile are aborted, and once the
 * broker is back the job goes on.
 */
@Timeout(300)
class KafkaClusterFailoverIT extends ClusterProcessTest {
  private static final long WINDOW_MS = 1000;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @Test
  void killANodeMidRunAndReadEveryResultOnce() throws Exception {
    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      OrderData data = new OrderData(3, 1500, 25, 7);
      broker.createTopic("orders", 3);
      broker.createTopic("order-totals", 2);
      data.produceStage(broker, "orders", 0);

      List<Node> nodes = cluster.startNodes(3, 1);
      String leaderId = cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
      Node leader = cluster.byId(leaderId);
      Node victim = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
      List<Node> survivors = nodes.stream().filter(n -> n != victim).toList();

      Path checkpoints = cluster.dir().resolve("checkpoints").toAbsolutePath();
      JsonObject json = new JsonObject(Files.readString(cluster.root().resolve("conf/jobs/kafka-etl.json")));
      String name = json.getString("name");
      json.put("parallelism", 3);
      json.getJsonObject("checkpoints").put("directory", checkpoints.toString()).put("intervalMillis", 250);
      json.put("restartStrategy", new JsonObject().put("type", "fixed-delay").put("attempts", 5).put("delayMillis", 500));
      json.getJsonObject("params").put("bootstrapServers", broker.bootstrapServers())
          .put("stopOffsets", data.stopOffsets("orders")).put("windowMs", WINDOW_MS).put("idleMs", 600_000)
          .put("transactionalIdPrefix", "etl-it");
      Response r = cluster.post(victim, "/jobs", json.encode());
      assertThat(r.status()).as("POST /jobs: %s", r).isEqualTo(200);
      String id = r.json().getString("id");

      JsonObject running = await(nodes, id, "RUNNING", s -> "RUNNING".equals(s.getString("state")));
      int attemptBefore = running.getInteger("attempt", 0);
      cluster.awaitCondition("a completed checkpoint and committed totals", TIMEOUT,
          () -> !Checkpointing.completed(checkpoints.resolve(CheckpointStorage.CLUSTER_JOBS), name).isEmpty()
              && !OrderData.committedTotals(broker, "order-totals").isEmpty());

      cluster.kill9(victim);
      await(survivors, id, "RUNNING again after the kill",
          s -> "RUNNING".equals(s.getString("state")) && s.getInteger("attempt", -1) > attemptBefore);
      data.produceStage(broker, "orders", 1);
      data.produceStage(broker, "orders", 2);
      JsonObject finished = await(survivors, id, "FINISHED", s -> "FINISHED".equals(s.getString("state")));

      // no transaction stays open, and the last commit's markers are written: read_committed readers see it all
      broker.awaitNoOpenTransactions("etl-it-", Duration.ofSeconds(30));
      assertThat(OrderData.committedTotals(broker, "order-totals")).as("committed totals vs the oracle")
          .isEqualTo(data.oracle(WINDOW_MS));
      ClusterProcesses.figure("KafkaClusterFailoverIT: finished at attempt %s after kill -9 of %s",
          finished.getValue("attempt"), victim);
    }
  }

  @Test
  void restartTheBrokerMidRunAndReadEveryResultOnce() throws Exception {
    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      OrderData data = new OrderData(3, 1500, 25, 11);
      broker.createTopic("orders", 3);
      broker.createTopic("order-totals", 2);
      data.produceStage(broker, "orders", 0);

      List<Node> nodes = cluster.startNodes(3, 1);
      cluster.awaitMembers(nodes, nodes, Duration.ofSeconds(30));
      Path checkpoints = cluster.dir().resolve("checkpoints").toAbsolutePath();
      JsonObject json = new JsonObject(Files.readString(cluster.root().resolve("conf/jobs/kafka-etl.json")));
      String name = json.getString("name");
      json.put("parallelism", 3);
      // a checkpoint that cannot complete while the broker is away is aborted after 2 s
      json.getJsonObject("checkpoints").put("directory", checkpoints.toString()).put("intervalMillis", 250)
          .put("timeoutMillis", 2000);
      json.put("restartStrategy", new JsonObject().put("type", "fixed-delay").put("attempts", 20).put("delayMillis", 500));
      json.getJsonObject("params").put("bootstrapServers", broker.bootstrapServers())
          .put("stopOffsets", data.stopOffsets("orders")).put("windowMs", WINDOW_MS).put("idleMs", 600_000)
          .put("transactionalIdPrefix", "etl-broker-it");
      Response r = cluster.post(nodes.get(0), "/jobs", json.encode());
      assertThat(r.status()).as("POST /jobs: %s", r).isEqualTo(200);
      String id = r.json().getString("id");
      await(nodes, id, "RUNNING", s -> "RUNNING".equals(s.getString("state")));
      cluster.awaitCondition("a completed checkpoint and committed totals", TIMEOUT,
          () -> !Checkpointing.completed(checkpoints.resolve(CheckpointStorage.CLUSTER_JOBS), name).isEmpty()
              && !OrderData.committedTotals(broker, "order-totals").isEmpty());

      long failedBefore = failedCheckpoints(nodes, id);
      assertThat(failedBefore).as("failed checkpoints before the broker stops").isNotNegative();
      Path jobs = checkpoints.resolve(CheckpointStorage.CLUSTER_JOBS);
      long latestBefore = latest(jobs, name);
      // records in flight when the broker goes: the open transaction cannot be flushed until it is back
      data.produceStage(broker, "orders", 1);
      broker.stop();
      try {
        // the coordinator goes on meanwhile: checkpoints abort while a transaction cannot be flushed, and
        // complete again once nothing is in flight (a checkpoint with nothing written needs no broker)
        cluster.awaitCondition("checkpoints aborted or taken while the broker is away", TIMEOUT,
            () -> failedCheckpoints(nodes, id) > failedBefore || latest(jobs, name) >= latestBefore + 3);
      } finally {
        broker.restart();
      }
      data.produceStage(broker, "orders", 2);
      JsonObject finished = await(nodes, id, "FINISHED", s -> "FINISHED".equals(s.getString("state")));

      broker.awaitNoOpenTransactions("etl-broker-it-", Duration.ofSeconds(30));
      assertThat(OrderData.committedTotals(broker, "order-totals")).as("committed totals vs the oracle")
          .isEqualTo(data.oracle(WINDOW_MS));
      ClusterProcesses.figure("KafkaClusterFailoverIT: broker restarted; finished at attempt %s",
          finished.getValue("attempt"));
    }
  }

  private static long latest(Path jobs, String name) {
    return Checkpointing.completed(jobs, name).stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** The failed checkpoints the job's details report on any live node, or -1 if none answers. */
  private long failedCheckpoints(List<Node> via, String id) throws Exception {
    for (Node n : via) {
      Response c = cluster.get(n, "/jobs/" + id + "/checkpoints");
      if (c.status() == 200) {
        return c.json().getLong("failed", 0L);
      }
    }
    return -1;
  }

  private JsonObject await(List<Node> via, String id, String what, Predicate<JsonObject> wanted) throws Exception {
    JsonObject[] seen = new JsonObject[1];
    cluster.awaitCondition("job " + id + ": " + what, TIMEOUT, () -> {
      for (Node n : via) {
        if (!n.isAlive()) {
          continue;
        }
        Response s = cluster.get(n, "/jobs/" + id);
        if (s.status() != 200) {
          continue;
        }
        JsonObject status = s.json();
        if (wanted.test(status)) {
          seen[0] = status;
          return true;
        }
        if (Q5ClusterJob.TERMINAL.contains(status.getString("state"))) {
          throw new AssertionError("job " + id + " is " + status.encode() + " before: " + what + "\n" + cluster.tails());
        }
        return false;
      }
      return false;
    });
    return seen[0];
  }
}
