package io.eddy.deployer;

import io.eddy.config.ConfigException;
import io.eddy.config.ConfigSchema;
import io.eddy.config.PathPolicy;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

/**
 * A node's configuration ({@code conf/node.json}), validated against {@link #SCHEMA}; every key is optional:
 * <pre>{@code
 * {
 *   "clusterName": "eddy",          // nodes with different names never merge
 *   "host": "127.0.0.1",            // the interface Hazelcast, the event bus and REST bind to
 *   "publicHost": "203.0.113.7",    // the address the others reach it at (NAT, containers); default: host
 *   "members": ["127.0.0.1"],       // hosts (or host:port) to join over TCP-IP; no multicast
 *   "hazelcastPort": 5701,          // first port tried; auto-increments over 20 ports
 *   "eventBusPort": 0,              // 0 picks a free port
 *   "slots": 4,                     // default: the number of available processors
 *   "httpPort": 8081,               // REST; 0 picks a free port
 *   "heartbeatSeconds": 1,          // Hazelcast heartbeat interval
 *   "maxNoHeartbeatSeconds": 5,     // a silent member is removed after this
 *   "clusterSize": 3,               // nodes the cluster should have: a node leads only while it sees a majority
 *   "checkpointDirectory": "target/checkpoints",
 *   "pathRoots": ["/data/eddy"],    // directories REST requests may name; default: working dir + checkpointDirectory
 *   "restToken": "...",             // REST requests need "Authorization: Bearer <token>" (not /health, /ready)
 *   "restTlsCertificate": "rest.crt", "restTlsKey": "rest.key",   // PEM files: REST over HTTPS
 *   "clusterTlsCertificate": "node.crt", "clusterTlsKey": "node.key", "clusterTlsTrust": "ca.crt"
 *                                   // PEM files: event bus over TLS, both sides authenticated
 * }
 * }</pre>
 * Every key can be overridden without editing the file (see {@link #load(Path, Map, Map)}): a system property
 * {@code eddy.node.<key>} wins over an environment variable {@code EDDY_NODE_<KEY>} (upper snake case:
 * {@code EDDY_NODE_HTTP_PORT}), which wins over the file. Problems are {@link ConfigException}s with one line
 * naming the source (file, variable or property) and the key.
 *
 * @param source                where the configuration came from (starts messages)
 * @param clusterName           the Hazelcast cluster name
 * @param host                  the bind host
 * @param members               the TCP-IP join members
 * @param hazelcastPort         the first Hazelcast port
 * @param eventBusPort          the event bus port, 0 for any
 * @param slots                 task slots offered by this node
 * @param httpPort              the REST port, 0 for any
 * @param heartbeatSeconds      Hazelcast's heartbeat interval
 * @param maxNoHeartbeatSeconds how long a member may stay silent before it is removed
 * @param checkpointDirectory   where checkpoints go, or null
 * @param pathRoots             the directories request paths must stay under; empty: the defaults
 * @param restToken             the bearer token REST requests need, or null for none
 * @param restTls               REST's certificate and key, or null for plain HTTP
 * @param clusterTls            the event bus's certificate, key and trusted certificates, or null for plaintext
 * @param publicHost            the address other nodes and clients reach this node at, or null: {@link #host}
 * @param clusterSize           the number of nodes the cluster is meant to have; {@link #quorum} derives from it
 */
public record NodeConfig(String source, String clusterName, String host, List<String> members, int hazelcastPort,
                         int eventBusPort, int slots, int httpPort, int heartbeatSeconds,
                         int maxNoHeartbeatSeconds, String checkpointDirectory, List<String> pathRoots,
                         String restToken, Tls restTls, Tls clusterTls, String publicHost, int clusterSize) {

  /**
   * PEM files of a TLS endpoint.
   *
   * @param certificate the certificate chain
   * @param key         the private key (PKCS#8 or PKCS#1)
   * @param trust       the certificates of the peers (or their CA) to accept, or null (REST: no client certificates)
   */
  public record Tls(String certificate, String key, String trust) {
    public Tls {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
    }
  }

  private static final ConfigSchema PORT = ConfigSchema.integer().min(0).max(65535);
  /** host, host:port, a bare IPv6 address, or [IPv6]:port. */
  private static final String MEMBER =
      "[^\\s:,\\[\\]]+(:[0-9]{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?";
  private static final ConfigSchema FILE = ConfigSchema.string().nonEmpty();

  /** The schema of a node file. */
  public static final ConfigSchema SCHEMA = ConfigSchema.object()
      .optional("clusterName", ConfigSchema.string().matching("[A-Za-z0-9._-]{1,64}",
          "a name of 1 to 64 letters, digits, '.', '_' or '-'"))
      .optional("host", ConfigSchema.string().nonEmpty())
      .optional("publicHost", ConfigSchema.string().nonEmpty())
      .optional("members", ConfigSchema.arrayOf(ConfigSchema.string().matching(MEMBER,
          "a host, host:port, an IPv6 address or [IPv6]:port (no port range)")).nonEmpty())
      .optional("hazelcastPort", ConfigSchema.integer().min(1).max(65535))
      .optional("eventBusPort", PORT)
      .optional("slots", ConfigSchema.integer().min(1).max(4096))
      .optional("httpPort", PORT)
      .optional("heartbeatSeconds", ConfigSchema.integer().min(1).max(60))
      .optional("maxNoHeartbeatSeconds", ConfigSchema.integer().min(2).max(600))
      .optional("clusterSize", ConfigSchema.integer().min(1).max(1000))
      .optional("checkpointDirectory", ConfigSchema.string().nonEmpty())
      .optional("pathRoots", ConfigSchema.arrayOf(ConfigSchema.string().nonEmpty()).nonEmpty())
      .optional("restToken", ConfigSchema.string().matching("[\\x21-\\x7e]{16,512}",
          "16 to 512 visible ASCII characters"))
      .optional("restTlsCertificate", FILE)
      .optional("restTlsKey", FILE)
      .optional("clusterTlsCertificate", FILE)
      .optional("clusterTlsKey", FILE)
      .optional("clusterTlsTrust", FILE);

  /** The keys whose values are JSON arrays: an override gives them comma-separated. */
  private static final Set<String> LIST_KEYS = Set.of("members", "pathRoots");
  /** The keys whose values are integers. */
  private static final Set<String> INT_KEYS = Set.of("hazelcastPort", "eventBusPort", "slots", "httpPort",
      "heartbeatSeconds", "maxNoHeartbeatSeconds", "clusterSize");
  /** Every key, in the order overrides are applied (the order of {@link #SCHEMA}). */
  static final List<String> KEYS = List.of("clusterName", "host", "publicHost", "members", "hazelcastPort", "eventBusPort", "slots",
      "httpPort", "heartbeatSeconds", "maxNoHeartbeatSeconds", "clusterSize", "checkpointDirectory", "pathRoots", "restToken",
      "restTlsCertificate", "restTlsKey", "clusterTlsCertificate", "clusterTlsKey", "clusterTlsTrust");

  /** @return the address advertised to other nodes and REST clients: {@link #publicHost} or else {@link #host} */
  public String advertisedHost() {
    return publicHost != null ? publicHost : host;
  }

  /**
   * The members a node must see, itself included, to lead: a majority of {@link #clusterSize}, so that of two
   * sides of a partition at most one can have a leader. 1 (the default size) lets a lone node lead.
   *
   * @return {@code clusterSize / 2 + 1}
   */
  public int quorum() {
    return clusterSize / 2 + 1;
  }

  public NodeConfig {
    Objects.requireNonNull(source, "source");
    if (clusterSize < 1) {
      throw new IllegalArgumentException("clusterSize must be at least 1, found " + clusterSize);
    }
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(host, "host");
    members = List.copyOf(members);
    pathRoots = List.copyOf(pathRoots);
  }

  /** The settings of a node without path roots, token or TLS (tests build nodes with it). */
  public NodeConfig(String source, String clusterName, String host, List<String> members, int hazelcastPort,
                    int eventBusPort, int slots, int httpPort, int heartbeatSeconds, int maxNoHeartbeatSeconds,
                    String checkpointDirectory) {
    this(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort, heartbeatSeconds,
        maxNoHeartbeatSeconds, checkpointDirectory, List.of(), null, null, null, null, 1);
  }

  /** The settings of a node of a cluster of size 1 (no quorum beyond itself). */
  public NodeConfig(String source, String clusterName, String host, List<String> members, int hazelcastPort,
                    int eventBusPort, int slots, int httpPort, int heartbeatSeconds, int maxNoHeartbeatSeconds,
                    String checkpointDirectory, List<String> pathRoots, String restToken, Tls restTls,
                    Tls clusterTls, String publicHost) {
    this(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort, heartbeatSeconds,
        maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls, clusterTls, publicHost, 1);
  }

  /** @return the configuration of a file that sets nothing */
  public static NodeConfig defaults() {
    return parse("{}", "defaults");
  }

  /**
   * The file with no overrides (tests).
   *
   * @param file the node file (UTF-8)
   * @return the validated configuration
   * @throws ConfigException if the file cannot be read, is not JSON or does not match {@link #SCHEMA}
   */
  public static NodeConfig load(Path file) {
    return load(file, Map.of(), Map.of());
  }

  /**
   * Reads the file, then applies overrides: first environment variables {@code EDDY_NODE_<KEY>}, then system
   * properties {@code eddy.node.<key>}, so a property wins over a variable, which wins over the file. An override
   * is text: integers in decimal, list keys ({@code members}, {@code pathRoots}) comma-separated.
   *
   * @param file       the node file (UTF-8), or null for none (defaults plus overrides)
   * @param env        the environment ({@code System.getenv()})
   * @param properties the system properties, as strings
   * @return the validated configuration
   * @throws ConfigException naming the file, variable or property and the key that is wrong
   */
  public static NodeConfig load(Path file, Map<String, String> env, Map<String, String> properties) {
    JsonObject o;
    String source;
    if (file == null) {
      o = new JsonObject();
      source = "defaults";
    } else {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException(file + ": cannot read file (" + e.getClass().getSimpleName() + ")", e);
      }
      source = file.toString();
      o = decode(text, source);
    }
    SCHEMA.validate(o, source);
    for (String key : KEYS) {
      String var = envName(key);
      if (env.containsKey(var)) {
        override(o, key, env.get(var), "environment variable " + var);
      }
    }
    for (String key : KEYS) {
      String prop = "eddy.node." + key;
      if (properties.containsKey(prop)) {
        override(o, key, properties.get(prop), "system property " + prop);
      }
    }
    return fromValidated(o, source);
  }

  /** @return the environment variable overriding {@code key}: {@code httpPort} gives {@code EDDY_NODE_HTTP_PORT} */
  static String envName(String key) {
    StringBuilder b = new StringBuilder("EDDY_NODE_");
    for (char c : key.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('_');
      }
      b.append(Character.toUpperCase(c));
    }
    return b.toString();
  }

  private static void override(JsonObject o, String key, String text, String origin) {
    Object value;
    if (INT_KEYS.contains(key)) {
      try {
        value = Integer.parseInt(text.strip());
      } catch (NumberFormatException e) {
        throw new ConfigException(origin + ": key '" + key + "': expected an integer, found \"" + text + "\"");
      }
    } else if (LIST_KEYS.contains(key)) {
      JsonArray a = new JsonArray();
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          a.add(part.strip());
        }
      }
      value = a;
    } else {
      value = text;
    }
    JsonObject trial = o.copy().put(key, value);
    SCHEMA.validate(trial, origin);
    o.put(key, value);
  }

  /**
   * @param json   the text of a node file
   * @param source the name starting every message
   * @return the validated configuration
   */
  public static NodeConfig parse(String json, String source) {
    JsonObject o = decode(json, source);
    SCHEMA.validate(o, source);
    return fromValidated(o, source);
  }

  private static JsonObject decode(String json, String source) {
    String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
    if (text.isBlank()) {
      throw new ConfigException(source + ": not valid JSON: the file is empty");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      String reason = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("cannot be decoded");
      throw new ConfigException(source + ": not valid JSON: " + reason, e);
    }
  }

  private static NodeConfig fromValidated(JsonObject o, String source) {
    int heartbeat = o.getInteger("heartbeatSeconds", 1);
    int maxNoHeartbeat = o.getInteger("maxNoHeartbeatSeconds", 5);
    if (maxNoHeartbeat <= heartbeat) {
      throw new ConfigException(source + ": key 'maxNoHeartbeatSeconds': must be greater than heartbeatSeconds "
          + heartbeat + ", found " + maxNoHeartbeat);
    }
    Tls rest = tls(o, source, "restTlsCertificate", "restTlsKey", null);
    Tls cluster = tls(o, source, "clusterTlsCertificate", "clusterTlsKey", "clusterTlsTrust");
    return new NodeConfig(source, o.getString("clusterName", "eddy"), o.getString("host", "127.0.0.1"),
        strings(o.getJsonArray("members", new JsonArray().add("127.0.0.1"))), o.getInteger("hazelcastPort", 5701),
        o.getInteger("eventBusPort", 0), o.getInteger("slots", Runtime.getRuntime().availableProcessors()),
        o.getInteger("httpPort", 8081), heartbeat, maxNoHeartbeat, o.getString("checkpointDirectory"),
        strings(o.getJsonArray("pathRoots", new JsonArray())), o.getString("restToken"), rest, cluster,
        o.getString("publicHost"), o.getInteger("clusterSize", 1));
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(JsonArray a) {
    return (List<String>) (List<?>) a.getList();
  }

  /** The files of one TLS endpoint: all of them or none, each readable. */
  private static Tls tls(JsonObject o, String source, String certKey, String keyKey, String trustKey) {
    List<String> keys = trustKey == null ? List.of(certKey, keyKey) : List.of(certKey, keyKey, trustKey);
    List<String> given = keys.stream().filter(o::containsKey).toList();
    if (given.isEmpty()) {
      return null;
    }
    if (given.size() < keys.size()) {
      String missing = keys.stream().filter(k -> !o.containsKey(k)).findFirst().orElseThrow();
      throw new ConfigException(source + ": key '" + missing + "': required with '" + given.get(0) + "'");
    }
    for (String k : keys) {
      if (!Files.isReadable(Path.of(o.getString(k)))) {
        throw new ConfigException(source + ": key '" + k + "': cannot read file " + o.getString(k));
      }
    }
    return new Tls(o.getString(certKey), o.getString(keyKey), trustKey == null ? null : o.getString(trustKey));
  }

  /**
   * @return where paths named by REST requests must lie: {@link #pathRoots} if set, else the working directory
   *     and the {@link #checkpointDirectory}
   */
  public PathPolicy pathPolicy() {
    List<Path> roots = new ArrayList<>();
    if (pathRoots.isEmpty()) {
      roots.add(Path.of(""));
      if (checkpointDirectory != null) {
        roots.add(Path.of(checkpointDirectory.startsWith("file://")
            ? checkpointDirectory.substring("file://".length()) : checkpointDirectory));
      }
    } else {
      pathRoots.forEach(r -> roots.add(Path.of(r)));
    }
    return PathPolicy.under(roots);
  }

  /** @return a copy with another HTTP port (from {@code --http-port}) */
  public NodeConfig withHttpPort(int port) {
    if (port < 0 || port > 65535) {
      throw new ConfigException("--http-port: must be between 0 and 65535, found " + port);
    }
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, port,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls,
        clusterTls, publicHost, clusterSize);
  }

  /** @return a copy with another cluster name (tests) */
  public NodeConfig withClusterName(String name) {
    return new NodeConfig(source, name, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls,
        clusterTls, publicHost, clusterSize);
  }

  /** @return a copy with another slot count (tests) */
  public NodeConfig withSlots(int n) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, n, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls,
        clusterTls, publicHost, clusterSize);
  }

  /** @return a copy whose requests may name paths under these directories only (tests) */
  public NodeConfig withPathRoots(List<String> roots) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, roots, restToken, restTls, clusterTls,
        publicHost, clusterSize);
  }

  /** @return a copy with a REST token and REST TLS (tests) */
  public NodeConfig withRestSecurity(String token, Tls tls) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, token, tls, clusterTls, publicHost, clusterSize);
  }

  /** @return a copy for a cluster of {@code size} nodes: it leads only while it sees a majority of them (tests) */
  public NodeConfig withClusterSize(int size) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls, clusterTls,
        publicHost, size);
  }

  /** @return a copy with event bus TLS (tests) */
  public NodeConfig withClusterTls(Tls tls) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory, pathRoots, restToken, restTls, tls, publicHost, clusterSize);
  }
}
