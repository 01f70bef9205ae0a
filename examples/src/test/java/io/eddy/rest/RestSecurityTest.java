package io.eddy.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.cli.Main;
import io.eddy.deployer.ClusterNode;
import io.eddy.deployer.NodeConfig;
import io.eddy.testing.TestCertificates;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with a REST token, HTTPS and a path root, reached over real HTTPS: every refusal the REST API makes, with its
 * status and message, and that the CLI passes the token.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestSecurityTest {
  private static final String TOKEN = "s3cret-token-" + UUID.randomUUID();

  @TempDir
  static Path tmp;
  private Path allowed;
  private TestCertificates.Pem cert;
  private ClusterNode node;
  private String base;
  private HttpClient https;

  @BeforeAll
  void start() throws Exception {
    allowed = Files.createDirectories(tmp.resolve("allowed"));
    cert = TestCertificates.selfSigned(tmp, "rest");
    int port = io.eddy.testing.FreePorts.next(); // below the ephemeral range: see FreePorts
    NodeConfig conf = NodeConfig.defaults().withClusterName("eddy-sec-" + UUID.randomUUID().toString().substring(0, 8))
        .withHttpPort(port).withSlots(2).withPathRoots(List.of(allowed.toString()))
        .withRestSecurity(TOKEN, new NodeConfig.Tls(cert.certificate().toString(), cert.key().toString(), null));
    node = ClusterNode.start(conf).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + node.httpPort();
    https = HttpClient.newBuilder().sslContext(trusting(cert.certificate())).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static javax.net.ssl.SSLContext trusting(Path pem) throws Exception {
    var ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (var in = Files.newInputStream(pem)) {
      ks.setCertificateEntry("rest", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  private HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> authorized(String method, String path, String body) throws Exception {
    return body == null ? call(method, path, null, "Authorization", "Bearer " + TOKEN)
        : call(method, path, body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json; charset=utf-8");
  }

  private static String error(HttpResponse<String> r) {
    return new JsonObject(r.body()).getString("error");
  }

  private JsonObject q5(long events, String checkpoints) throws Exception {
    JsonObject job = new JsonObject(Files.readString(Path.of(System.getProperty("eddy.root", ".."),
        "conf/jobs/q5-exactly-once.json")));
    job.getJsonObject("checkpoints").put("directory", checkpoints).put("intervalMillis", 500);
    job.getJsonObject("params").put("events", events).put("rate", 20_000).put("splits", 2)
        .put("output", allowed.resolve("out").toString());
    return job;
  }

  @Test
  void probesAnswerWithoutTheTokenAndEverythingElseNeedsIt() throws Exception {
    assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
    long deadline = System.currentTimeMillis() + 30_000;
    HttpResponse<String> ready = call("GET", "/ready", null);
    while (ready.statusCode() != 200 && System.currentTimeMillis() < deadline) {
      assertThat(ready.statusCode()).isEqualTo(503);
      Thread.sleep(100);
      ready = call("GET", "/ready", null);
    }
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("leader")).isEqualTo(node.nodeId());

    HttpResponse<String> r = call("GET", "/jobs", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"eddy\"");
    assertThat(error(r)).contains("bearer token");
    assertThat(call("GET", "/metrics", null, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/nodes", null, "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/jobs/x/cancel", null).statusCode()).isEqualTo(401);
    assertThat(authorized("GET", "/jobs", null).statusCode()).isEqualTo(200);
    assertThat(authorized("GET", "/nodes", null).body()).contains(node.nodeId());
  }

  @Test
  void plainHttpAndUntrustedClientsGetNoAnswer() {
    HttpClient plain = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/health")).build();
    // the server speaks TLS only: a plaintext request gets no HTTP answer
    Throwable failure = null;
    try {
      plain.send(health, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).as("plain HTTP to the TLS port").isNotNull();
    HttpRequest tls = HttpRequest.newBuilder(URI.create(base + "/health")).build();
    failure = null;
    try {
      plain.send(tls, HttpResponse.BodyHandlers.ofString()); // the JVM's trust store does not know the certificate
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void crossOriginAndNonJsonPostsAreRefused() throws Exception {
    String job = q5(1000, allowed.resolve("ckpt").toString()).encode();
    HttpResponse<String> r = call("POST", "/jobs", job, "Authorization", "Bearer " + TOKEN,
        "Content-Type", "application/json", "Origin", "http://evil.example");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(error(r)).isEqualTo("cross-origin request from 'http://evil.example' refused");
    // even before the token is checked: a page elsewhere learns nothing
    assertThat(call("GET", "/jobs", null, "Origin", "null").statusCode()).isEqualTo(403);
    // another port of the same host is another origin
    assertThat(call("GET", "/jobs", null, "Authorization", "Bearer " + TOKEN,
        "Origin", "https://127.0.0.1:1").statusCode()).isEqualTo(403);
    // the page the node serves itself may call it
    assertThat(call("GET", "/jobs", null, "Authorization", "Bearer " + TOKEN,
        "Origin", "https://127.0.0.1:" + node.httpPort()).statusCode()).isEqualTo(200);

    r = call("POST", "/jobs", job, "Authorization", "Bearer " + TOKEN, "Content-Type", "text/plain");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(error(r)).isEqualTo("a POST body must be sent as 'Content-Type: application/json', found 'text/plain'");
    r = call("POST", "/jobs", job, "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(error(r)).endsWith("found none");
    r = call("POST", "/jobs", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nx\r\n--b--\r\n",
        "Authorization", "Bearer " + TOKEN, "Content-Type", "multipart/form-data; boundary=b");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(authorized("POST", "/jobs", "{\"job\": \"a.B\", \"pad\": \"" + "x".repeat(1 << 20) + "\"}")
        .statusCode()).isEqualTo(413);
    assertThat(authorized("GET", "/jobs", null).body()).isEqualTo("[]");
  }

  @Test
  void namesAndPathsThatLeaveTheRootsAreRefusedWithTheField() throws Exception {
    JsonObject job = q5(1000, allowed.resolve("ckpt").toString()).put("name", "../../etc");
    HttpResponse<String> r = authorized("POST", "/jobs", job.encode());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).startsWith("POST /jobs: key 'name': expected 1 to 128 letters, digits").endsWith("found \"../../etc\"");
    r = authorized("POST", "/jobs", q5(1000, allowed.resolve("ckpt").toString()).put("name", "a/b").encode());
    assertThat(error(r)).contains("key 'name'");

    String outside = tmp.resolve("outside").toString();
    r = authorized("POST", "/jobs", q5(1000, outside).encode());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).startsWith("key 'checkpoints.directory': '" + outside + "' is outside the directories");
    String sneaky = allowed + "/../outside";
    r = authorized("POST", "/jobs", q5(1000, sneaky).encode());
    assertThat(error(r)).startsWith("key 'checkpoints.directory': '" + sneaky + "' is outside");
    r = authorized("POST", "/jobs?fromSavepoint=/etc", q5(1000, allowed.resolve("ckpt").toString()).encode());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).startsWith("query parameter 'fromSavepoint': '/etc' is outside");
    // the job's path parameters (a connector's input or output) too
    {
      JsonObject bad = q5(1000, allowed.resolve("ckpt").toString());
      bad.getJsonObject("params").put("output", outside);
      r = authorized("POST", "/jobs", bad.encode());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(error(r)).startsWith("job parameter 'output': '" + outside + "' is outside the directories");
      JsonObject wordcount = new JsonObject().put("job", "io.eddy.examples.WordCount").put("params",
          new JsonObject().put("input", "/etc/passwd").put("output", allowed.resolve("wc").toString()));
      r = authorized("POST", "/jobs", wordcount.encode());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(error(r)).startsWith("job parameter 'input': '/etc/passwd' is outside");
    }
    assertThat(tmp.resolve("outside")).doesNotExist();

    // a running job: a savepoint directory outside the roots is refused, inside it is written
    r = authorized("POST", "/jobs", q5(10_000_000, allowed.resolve("ckpt").toString()).put("name", "sec-q5").encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = new JsonObject(r.body()).getString("id");
    long deadline = System.currentTimeMillis() + 60_000;
    while (!new JsonObject(authorized("GET", "/jobs/" + id, null).body()).getString("state").equals("RUNNING")
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    r = authorized("POST", "/jobs/" + id + "/savepoints", new JsonObject().put("directory", outside).encode());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).startsWith("body key 'directory': '" + outside + "' is outside");
    r = authorized("POST", "/jobs/" + id + "/savepoints",
        new JsonObject().put("directory", allowed.resolve("sp").toString()).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(allowed.resolve("sp/_metadata")).exists();
    assertThat(tmp.resolve("outside")).doesNotExist();

    // the CLI sends the token (from its option or EDDY_REST_TOKEN) and trusts the node's certificate with --rest-ca
    assertThat(cli("list", "--rest", base, "--rest-ca", cert.certificate().toString())).startsWith("2|");
    String listed = cli("list", "--rest", base, "--rest-ca", cert.certificate().toString(), "--token", TOKEN);
    assertThat(listed).startsWith("0|").contains(id + " RUNNING sec-q5");
    assertThat(cli("cancel", id, "--rest", base, "--rest-ca", cert.certificate().toString(), "--token", TOKEN))
        .startsWith("0|");
  }

  /** Runs the CLI in this JVM; returns "exit|stdout|stderr". */
  private static String cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = Main.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return code + "|" + o.toString(StandardCharsets.UTF_8) + "|" + e.toString(StandardCharsets.UTF_8);
  }
}
