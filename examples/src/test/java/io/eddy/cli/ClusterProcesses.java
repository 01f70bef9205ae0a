package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Eddy cluster nodes started as separate processes ({@code java -jar <bundle> node}) on loopback for the
 * multi-JVM integration tests: one per test, closed from {@code @AfterEach}.
 *
 * <p>Every node of one instance shares a unique cluster name ({@code it-<hex>}) and one Hazelcast base port
 * (probed free once; Hazelcast auto-increments from it, so the first node binds the base and the others join it).
 * Each node gets its own free HTTP port. stdout and stderr of node {@code name} go to {@code name.out} and
 * {@code name.err} in the test's directory; {@link #tails()} prints their ends for failure messages.
 *
 * <p>The bundle and the repository root come from the system properties {@code eddy.bundle} and {@code eddy.root}
 * that failsafe sets.
 */
final class ClusterProcesses implements AutoCloseable {
  /** How long a node may take to print its joined line. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** How long a stopped or killed process may take to go away. */
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  /** The exit status of a JVM killed by SIGKILL. */
  static final int EXIT_SIGKILL = 128 + 9;
  /** The exit status of a JVM ended by SIGTERM (its shutdown hooks ran). */
  static final int EXIT_SIGTERM = 128 + 15;

  private static final Pattern JOINED = Pattern.compile(
      "^eddy node (\\S+) joined cluster '([^']*)' \\((\\d+) members?\\), http on (\\d+).*$", Pattern.MULTILINE);
  private static final int TAIL_LINES = 40;
  private static final long POLL_MILLIS = 150;

  /** A started node: its process, where its output goes, and what it printed when it joined. */
  record Node(String name, Process process, long pid, int httpPort, String id, Path conf, Path out, Path err,
              long joinedNanos) {
    boolean isAlive() {
      return process.isAlive();
    }

    /** @return {@code http://127.0.0.1:<port>} */
    String rest() {
      return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public String toString() {
      return name + " (" + id + ", pid " + pid + ", http " + httpPort + ")";
    }
  }

  /** A REST answer: the status and the body as it came. */
  record Response(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final Path bundle;
  private final Path root;
  private final Path dir;
  private final String clusterName;
  private final int hazelcastPort;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final JsonObject extraSettings = new JsonObject();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** @param dir the test's temporary directory: node files, their output */
  ClusterProcesses(Path dir) throws IOException {
    String b = System.getProperty("eddy.bundle");
    String r = System.getProperty("eddy.root");
    assertThat(b).as("system property eddy.bundle (set by failsafe)").isNotBlank();
    assertThat(r).as("system property eddy.root (set by failsafe)").isNotBlank();
    this.bundle = Path.of(b);
    this.root = Path.of(r);
    assertThat(bundle).as("the bundle (mvn package first)").isRegularFile();
    this.dir = dir;
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    this.clusterName = "it-" + HexFormat.of().formatHex(random);
    this.hazelcastPort = freeHazelcastBase();
  }

  /** @return the repository root the nodes run in */
  Path root() {
    return root;
  }

  /** @return the test's directory */
  Path dir() {
    return dir;
  }

  /** @return this test's cluster name */
  String clusterName() {
    return clusterName;
  }

  /** @return every node started so far, dead or alive, in start order */
  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** @return the nodes whose process is still alive */
  List<Node> live() {
    return nodes.stream().filter(Node::isAlive).toList();
  }

  /** @return the started node with this id */
  Node byId(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no started node has id " + id + "; started: " + nodes));
  }

  // ---------------------------------------------------------------------------------------------- processes

  /** Sets a {@code node.json} key for every node started from now on (such as {@code clusterSize}). */
  void nodeSetting(String key, Object value) {
    extraSettings.put(key, value);
  }

  /** Starts node {@code name} offering {@code slots} and waits for its joined line. */
  Node startNode(String name, int slots) throws Exception {
    Launched l = launch(name, slots);
    return awaitJoined(l);
  }

  /**
   * Starts {@code count} nodes {@code n1..n<count>} with {@code slots} each: the first alone (it binds the
   * Hazelcast base port), the others together; then waits until every node lists all of them.
   */
  List<Node> startNodes(int count, int slots) throws Exception {
    List<Node> started = new ArrayList<>();
    started.add(startNode("n1", slots));
    List<Launched> rest = new ArrayList<>();
    for (int i = 2; i <= count; i++) {
      rest.add(launch("n" + i, slots));
    }
    for (Launched l : rest) {
      started.add(awaitJoined(l));
    }
    awaitClusterSize(started, count, START_TIMEOUT);
    return started;
  }

  private record Launched(String name, Process process, Path conf, Path out, Path err, int httpPort) {}

  private Launched launch(String name, int slots) throws IOException {
    assertThat(nodes.stream().map(Node::name)).as("node names").doesNotContain(name);
    int httpPort = freePort();
    JsonObject conf = new JsonObject()
        .put("clusterName", clusterName)
        .put("host", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1:" + hazelcastPort))
        .put("hazelcastPort", hazelcastPort)
        .put("eventBusPort", 0)
        .put("slots", slots)
        .put("httpPort", httpPort)
        .put("heartbeatSeconds", 1)
        .put("maxNoHeartbeatSeconds", 5)
        .put("pathRoots", new JsonArray().add(System.getProperty("java.io.tmpdir"))); // the tests' directories
    conf.mergeIn(extraSettings);
    Path confFile = Files.writeString(dir.resolve(name + "-node.json"), conf.encodePrettily());
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-jar", bundle.toString(), "node", "--conf", confFile.toString(),
        "--http-port", String.valueOf(httpPort));
    Process p = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    processes.add(p);
    return new Launched(name, p, confFile, out, err, httpPort);
  }

  private Node awaitJoined(Launched l) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      String printed = Files.exists(l.out()) ? Files.readString(l.out(), StandardCharsets.UTF_8) : "";
      Matcher m = JOINED.matcher(printed);
      if (m.find()) {
        long joined = System.nanoTime();
        assertThat(m.group(2)).as("cluster name in %s's joined line", l.name()).isEqualTo(clusterName);
        int port = Integer.parseInt(m.group(4));
        assertThat(port).as("%s's http port (asked for %d)", l.name(), l.httpPort()).isEqualTo(l.httpPort());
        Node n = new Node(l.name(), l.process(), l.process().pid(), port, m.group(1), l.conf(), l.out(), l.err(),
            joined);
        nodes.add(n);
        return n;
      }
      if (!l.process().isAlive()) {
        throw new AssertionError("node " + l.name() + " exited with status " + l.process().exitValue()
            + " before joining\n" + tail(l.name(), l.out(), l.err()) + tails());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + l.name() + " printed no joined line within " + START_TIMEOUT.toSeconds()
            + " s\n" + tail(l.name(), l.out(), l.err()) + tails());
      }
      Thread.sleep(50);
    }
  }

  /**
   * {@code kill -STOP}: the process hangs with its sockets open, as a node in a long pause or cut off would, so the
   * others only notice it by its missing heartbeats. {@link #close} kills it (SIGKILL ends a stopped process).
   */
  void freeze(Node node) throws Exception {
    assertThat(node.isAlive()).as("%s alive before kill -STOP", node).isTrue();
    Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(node.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -STOP %d done", node.pid()).isTrue();
    assertThat(kill.exitValue()).as("kill -STOP %d", node.pid()).isZero();
  }

  /** {@code kill -CONT}: a node stopped by {@link #freeze} runs on. */
  void thaw(Node node) throws Exception {
    assertThat(node.isAlive()).as("%s alive before kill -CONT", node).isTrue();
    Process kill = new ProcessBuilder("kill", "-CONT", Long.toString(node.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -CONT %d done", node.pid()).isTrue();
    assertThat(kill.exitValue()).as("kill -CONT %d", node.pid()).isZero();
  }

  /** SIGKILLs a node and waits until it is gone: exit status 137. */
  void kill9(Node node) throws InterruptedException {
    assertThat(node.isAlive()).as("%s alive before kill -9", node).isTrue();
    node.process().destroyForcibly();
    assertThat(node.process().waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("%s gone within %d s of kill -9", node, EXIT_TIMEOUT.toSeconds()).isTrue();
    assertThat(node.process().exitValue()).as("exit status of %s after kill -9", node).isEqualTo(EXIT_SIGKILL);
    assertThat(ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive)).as("pid %d after kill -9", node.pid())
        .isNotEqualTo(Optional.of(true));
  }

  /**
   * SIGTERMs a node (its shutdown hook leaves the cluster) and waits at most {@code timeout} for it to exit.
   *
   * @return the exit status
   */
  int stopGracefully(Node node, Duration timeout) throws InterruptedException {
    sigterm(node);
    return awaitExit(node, timeout);
  }

  /**
   * SIGTERMs a node without waiting for it to exit.
   *
   * @return when it exits: {@link System#nanoTime()} then
   */
  java.util.concurrent.CompletableFuture<Long> sigterm(Node node) {
    assertThat(node.isAlive()).as("%s alive before SIGTERM", node).isTrue();
    java.util.concurrent.CompletableFuture<Long> exited = node.process().onExit().thenApply(p -> System.nanoTime());
    node.process().destroy();
    return exited;
  }

  /** Waits at most {@code timeout} for a node's process to exit; returns its exit status. */
  int awaitExit(Node node, Duration timeout) throws InterruptedException {
    if (!node.process().waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(node + " did not exit within " + timeout.toSeconds() + " s\n" + tails());
    }
    return node.process().exitValue();
  }

  /** Destroys every process started (SIGKILL) and waits for each. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        System.err.println("process " + p.pid() + " still alive 30 s after kill -9");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- REST

  /** GET {@code path} on a node (5 s timeout). */
  Response get(Node node, String path) throws IOException, InterruptedException {
    return send(node, "GET", path, null, Duration.ofSeconds(5));
  }

  /** POST {@code body} (JSON, may be null) to {@code path} on a node (30 s timeout). */
  Response post(Node node, String path, String body) throws IOException, InterruptedException {
    return send(node, "POST", path, body, Duration.ofSeconds(30));
  }

  private Response send(Node node, String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(node.rest() + path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      req.header("content-type", "application/json");
    }
    HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(res.statusCode(), res.body());
  }

  /** {@code GET /nodes} on a node, which must answer 200. */
  JsonArray members(Node via) throws IOException, InterruptedException {
    Response r = get(via, "/nodes");
    assertThat(r.status()).as("GET /nodes on %s: %s", via, r).isEqualTo(200);
    return r.array();
  }

  /** @return the ids listed by {@code GET /nodes} on {@code via}, sorted */
  List<String> memberIds(Node via) throws IOException, InterruptedException {
    return members(via).stream().map(o -> ((JsonObject) o).getString("id")).sorted().toList();
  }

  /** @return the leader's id as {@code via} sees it, if exactly one member is marked leader */
  Optional<String> leaderId(Node via) throws IOException, InterruptedException {
    List<String> leaders = members(via).stream().map(o -> (JsonObject) o)
        .filter(o -> o.getBoolean("leader", false)).map(o -> o.getString("id")).toList();
    return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  /**
   * Waits until every node of {@code via} lists exactly the ids of {@code expected} with one leader among them,
   * the same on all.
   */
  String awaitMembers(List<Node> via, List<Node> expected, Duration timeout) throws Exception {
    List<String> ids = expected.stream().map(Node::id).sorted().toList();
    String[] leader = new String[1];
    awaitCondition("every one of " + via + " lists exactly " + ids + " with one agreed leader", timeout, () -> {
      String agreed = null;
      for (Node n : via) {
        if (!memberIds(n).equals(ids)) {
          return false;
        }
        Optional<String> l = leaderId(n);
        if (l.isEmpty() || !ids.contains(l.get()) || (agreed != null && !agreed.equals(l.get()))) {
          return false;
        }
        agreed = l.get();
      }
      leader[0] = agreed;
      return true;
    });
    return leader[0];
  }

  /** Waits until every node of {@code via} lists {@code size} members with one leader. */
  void awaitClusterSize(List<Node> via, int size, Duration timeout) throws Exception {
    awaitCondition("every one of " + via + " lists " + size + " members with one leader", timeout, () -> {
      for (Node n : via) {
        if (members(n).size() != size || leaderId(n).isEmpty()) {
          return false;
        }
      }
      return true;
    });
  }

  /** @return the node that {@code via} marks as leader */
  Node leader(Node via) throws Exception {
    String id = leaderId(via).orElseThrow(() -> new AssertionError("no single leader in GET /nodes on " + via));
    return byId(id);
  }

  // ---------------------------------------------------------------------------------------------- waiting

  /**
   * Polls {@code condition} every 150 ms until it holds; an exception thrown by it (a node not answering) counts as
   * "not yet", an {@link AssertionError} fails at once. Fails after {@code timeout} naming {@code what}, the last
   * exception and the tails of every node's output.
   */
  void awaitCondition(String what, Duration timeout, Callable<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.call())) {
          return;
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what
            + (last == null ? "" : "\nlast exception: " + last) + "\n" + tails(), last);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  // ---------------------------------------------------------------------------------------------- output

  /** @return the last lines of every node's stdout and stderr */
  String tails() {
    StringBuilder s = new StringBuilder();
    for (Node n : nodes) {
      s.append(tail(n.toString() + (n.isAlive() ? "" : " exited " + n.process().exitValue()), n.out(), n.err()));
    }
    return s.toString();
  }

  private static String tail(String title, Path out, Path err) {
    return "---- " + title + " stdout:\n" + tail(out) + "---- " + title + " stderr:\n" + tail(err);
  }

  private static String tail(Path f) {
    try {
      if (!Files.exists(f)) {
        return "(none)\n";
      }
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      StringBuilder s = new StringBuilder();
      if (lines.size() > TAIL_LINES) {
        s.append("... ").append(lines.size() - TAIL_LINES).append(" lines before\n");
      }
      lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(l -> s.append(l).append('\n'));
      return s.toString();
    } catch (IOException | RuntimeException e) {
      return "(cannot read " + f + ": " + e + ")\n";
    }
  }

  /** Prints one figure line, {@code figure: <text>}, on stdout. */
  static void figure(String format, Object... args) {
    System.out.println("figure: " + String.format(java.util.Locale.ROOT, format, args));
  }

  /** @return the seconds from {@code fromNanos} to {@code toNanos}, for figures */
  static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  // ---------------------------------------------------------------------------------------------- ports

  private static int freePort() throws IOException {
    return io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
  }

  /** A free port with the next few free too (Hazelcast auto-increments from it). */
  private static int freeHazelcastBase() throws IOException {
    return io.eddy.testing.FreePorts.nextWithFollowers(3);
  }
}
