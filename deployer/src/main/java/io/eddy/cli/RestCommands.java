package io.eddy.cli;

import io.eddy.config.JobConfig;
import io.eddy.config.JobParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that talk to a running node over REST: {@code submit}, {@code list},
 * {@code status}, {@code cancel}, {@code savepoint}, {@code rescale}. A refused request (400, 404,
 * 409) exits 2 with the node's one-line error; an unreachable node exits 1.
 */
final class RestCommands {
  private RestCommands() {}

  /** What every REST command shares: the node's address. */
  abstract static class RestCommand implements Callable<Integer> {
    @Option(names = "--rest", defaultValue = "${env:EDDY_REST:-http://127.0.0.1:8081}",
        description = "The node's REST address (default: $EDDY_REST, else http://127.0.0.1:8081).")
    String rest;

    @Option(names = "--token", defaultValue = "${env:EDDY_REST_TOKEN}", paramLabel = "TOKEN",
        description = "The node's REST bearer token (default: $EDDY_REST_TOKEN; prefer the variable, since"
            + " arguments are visible to other users of the machine).")
    String token;

    @Option(names = "--rest-ca", defaultValue = "${env:EDDY_REST_CA}", paramLabel = "PEM",
        description = "Trusts the certificates in this PEM file for an https --rest (default: $EDDY_REST_CA;"
            + " otherwise the JVM's trust store).")
    Path restCa;

    @Option(names = "--verbose", description = "Prints stack traces with errors.")
    boolean verbose;

    /** Sends a request; prints the node's error and returns null when it refuses. */
    JsonObject send(String method, String path, String body) throws IOException, InterruptedException {
      HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (restCa != null) {
        client.sslContext(trusting(restCa));
      }
      HttpClient http = client.build();
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(rest + path)).timeout(Duration.ofSeconds(60));
      req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        req.header("Content-Type", "application/json");
      }
      if (token != null && !token.isBlank()) {
        req.header("Authorization", "Bearer " + token.strip());
      }
      HttpResponse<String> res;
      try {
        res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IOException("cannot reach the node at " + rest + ": " + e, e);
      }
      String text = res.body();
      if (res.statusCode() >= 400) {
        String message = text;
        try {
          message = new JsonObject(text).getString("error", text);
        } catch (RuntimeException ignored) {
          // not JSON: print it as it is
        }
        System.err.println("error: " + message);
        return null;
      }
      return text.trim().startsWith("[") ? new JsonObject().put("items", new JsonArray(text)) : new JsonObject(text);
    }

    /** An SSL context trusting exactly the certificates of a PEM file. */
    static SSLContext trusting(Path pem) throws IOException {
      try (InputStream in = Files.newInputStream(pem)) {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
          throw new IllegalArgumentException("--rest-ca: no certificate in " + pem);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("--rest-ca: cannot read certificates from " + pem + ": " + e.getMessage(), e);
      }
    }

    int print(JsonObject answer, String field) {
      if (answer == null) {
        return Main.EXIT_BAD_INPUT;
      }
      System.out.println(field == null ? answer.encodePrettily() : String.valueOf(answer.getValue(field)));
      return Main.EXIT_OK;
    }
  }

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Submits a job to a running node; prints the job's id as the last line.")
  static final class Submit extends RestCommand {
    @Parameters(index = "0", paramLabel = "JOB_JSON")
    Path jobFile;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Overrides a job parameter; repeatable.")
    List<String> params = List.of();

    @Option(names = "--from-savepoint", paramLabel = "DIR",
        description = "Starts the job from this savepoint or checkpoint directory (as the nodes see the path).")
    String fromSavepoint;

    @Override
    public Integer call() throws Exception {
      JobConfig config = JobConfig.load(jobFile);
      Map<String, String> overrides = new LinkedHashMap<>();
      for (String p : params) {
        Map.Entry<String, String> kv = JobParams.parseAssignment(p);
        overrides.put(kv.getKey(), kv.getValue());
      }
      config = config.withParams(config.params().withOverrides(overrides));
      String path = fromSavepoint == null ? "/jobs"
          : "/jobs?fromSavepoint=" + java.net.URLEncoder.encode(
              Path.of(fromSavepoint).toAbsolutePath().toString(), java.nio.charset.StandardCharsets.UTF_8);
      return print(send("POST", path, config.raw().encode()), "id");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the jobs of a running node.")
  static final class ListJobs extends RestCommand {
    @Override
    public Integer call() throws Exception {
      JsonObject a = send("GET", "/jobs", null);
      if (a == null) {
        return Main.EXIT_BAD_INPUT;
      }
      for (Object o : a.getJsonArray("items")) {
        JsonObject j = (JsonObject) o;
        System.out.println(j.getString("id") + " " + j.getString("state") + " " + j.getString("name"));
      }
      return Main.EXIT_OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Prints a job's JSON.")
  static final class Status extends RestCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return print(send("GET", "/jobs/" + id, null), null);
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a job.")
  static final class Cancel extends RestCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return print(send("POST", "/jobs/" + id + "/cancel", null), "id");
    }
  }

  @Command(name = "savepoint", mixinStandardHelpOptions = true,
      description = "Takes a savepoint of a running job; prints its directory.")
  static final class Savepoint extends RestCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;

    @Option(names = "--directory", description = "Where to write it (default: under the job's checkpoint directory).")
    String directory;

    @Option(names = "--stop", description = "Stops the job once the savepoint is taken (stop-with-savepoint).")
    boolean stop;

    @Override
    public Integer call() throws Exception {
      String body = directory == null ? null : new JsonObject().put("directory", directory).encode();
      return print(send("POST", "/jobs/" + id + "/savepoints" + (stop ? "?stop=true" : ""), body), "savepoint");
    }
  }

  @Command(name = "rescale", mixinStandardHelpOptions = true,
      description = "Rescales a running job: a stopping checkpoint, then the job runs again at the new parallelism"
          + " from it; prints the parallelism asked for.")
  static final class Rescale extends RestCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String id;

    @Parameters(index = "1", paramLabel = "PARALLELISM")
    int parallelism;

    @Override
    public Integer call() throws Exception {
      return print(send("POST", "/jobs/" + id + "/rescale?parallelism=" + parallelism, null), "parallelism");
    }
  }
}
