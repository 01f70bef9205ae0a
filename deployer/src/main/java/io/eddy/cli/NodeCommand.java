package io.eddy.cli;

import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code node --conf conf/node.json [--http-port P]}: starts a cluster node and runs until the JVM is stopped. The
 * file's keys can be overridden by {@code EDDY_NODE_<KEY>} variables and {@code -Deddy.node.<key>} properties (see
 * {@link NodeConfig#load(Path, Map, Map)}); {@code --http-port} wins over both. A
 * shutdown hook leaves gracefully: the leader first moves this node's jobs to the other nodes, then Vert.x closes.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Starts a cluster node (Hazelcast) with its REST API and runs until stopped.")
final class NodeCommand implements Callable<Integer> {
  private static final int START_TIMEOUT_SECONDS = 120;
  // a graceful stop first moves the node's jobs to the others (a stopping checkpoint and a redeployment)
  private static final int LEAVE_TIMEOUT_SECONDS = 90;

  @Option(names = "--conf", paramLabel = "NODE_JSON", defaultValue = "conf/node.json",
      description = "The node's JSON file (default: ${DEFAULT-VALUE}).")
  Path conf;

  @Option(names = "--http-port", paramLabel = "P", description = "Overrides the file's httpPort (0: any free port).")
  Integer httpPort;

  @Option(names = "--verbose", description = "Prints stack traces with errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Map<String, String> properties = new HashMap<>();
    System.getProperties().stringPropertyNames().forEach(k -> properties.put(k, System.getProperty(k)));
    NodeConfig config = NodeConfig.load(conf, System.getenv(), properties);
    if (httpPort != null) {
      config = config.withHttpPort(httpPort);
    }
    ClusterNode node;
    try {
      node = ClusterNode.start(config).toCompletionStage().toCompletableFuture()
          .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("the node did not start within " + START_TIMEOUT_SECONDS + " s");
    }
    CountDownLatch left = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close().toCompletionStage().toCompletableFuture().get(LEAVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("error: leaving the cluster: " + e);
      } finally {
        left.countDown();
      }
    }, "eddy-node-shutdown"));
    System.out.println(node.joinedLine());
    left.await();
    return Main.EXIT_OK;
  }
}
