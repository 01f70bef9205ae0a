package io.eddy.deployer;

import io.eddy.config.ConfigException;
import io.eddy.config.ConfigSchema;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A node's configuration ({@code conf/node.json}), validated against {@link #SCHEMA}; every key is optional:
 * <pre>{@code
 * {
 *   "clusterName": "eddy",          // nodes with different names never merge
 *   "host": "127.0.0.1",            // the interface Hazelcast and the event bus bind to
 *   "members": ["127.0.0.1"],       // hosts (or host:port) to join over TCP-IP; no multicast
 *   "hazelcastPort": 5701,          // first port tried; auto-increments over 20 ports
 *   "eventBusPort": 0,              // 0 picks a free port
 *   "slots": 4,                     // default: the number of available processors
 *   "httpPort": 8081,               // REST; 0 picks a free port
 *   "heartbeatSeconds": 1,          // Hazelcast heartbeat interval
 *   "maxNoHeartbeatSeconds": 5,     // a silent member is removed after this
 *   "checkpointDirectory": "target/checkpoints"
 * }
 * }</pre>
 * Problems are {@link ConfigException}s with one line naming the source and the key.
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
 */
public record NodeConfig(String source, String clusterName, String host, List<String> members, int hazelcastPort,
                         int eventBusPort, int slots, int httpPort, int heartbeatSeconds,
                         int maxNoHeartbeatSeconds, String checkpointDirectory) {

  private static final ConfigSchema PORT = ConfigSchema.integer().min(0).max(65535);

  /** The schema of a node file. */
  public static final ConfigSchema SCHEMA = ConfigSchema.object()
      .optional("clusterName", ConfigSchema.string().matching("[A-Za-z0-9._-]{1,64}",
          "a name of 1 to 64 letters, digits, '.', '_' or '-'"))
      .optional("host", ConfigSchema.string().nonEmpty())
      .optional("members", ConfigSchema.arrayOf(ConfigSchema.string().matching("[^\\s:,]+(:[0-9]{1,5})?",
          "a host or host:port (no port range)")).nonEmpty())
      .optional("hazelcastPort", ConfigSchema.integer().min(1).max(65535))
      .optional("eventBusPort", PORT)
      .optional("slots", ConfigSchema.integer().min(1).max(4096))
      .optional("httpPort", PORT)
      .optional("heartbeatSeconds", ConfigSchema.integer().min(1).max(60))
      .optional("maxNoHeartbeatSeconds", ConfigSchema.integer().min(2).max(600))
      .optional("checkpointDirectory", ConfigSchema.string().nonEmpty());

  public NodeConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(host, "host");
    members = List.copyOf(members);
  }

  /** @return the configuration of a file that sets nothing */
  public static NodeConfig defaults() {
    return parse("{}", "defaults");
  }

  /**
   * @param file the node file (UTF-8)
   * @return the validated configuration
   * @throws ConfigException if the file cannot be read, is not JSON or does not match {@link #SCHEMA}
   */
  public static NodeConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read file (" + e.getClass().getSimpleName() + ")", e);
    }
    return parse(text, file.toString());
  }

  /**
   * @param json   the text of a node file
   * @param source the name starting every message
   * @return the validated configuration
   */
  public static NodeConfig parse(String json, String source) {
    String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
    if (text.isBlank()) {
      throw new ConfigException(source + ": not valid JSON: the file is empty");
    }
    JsonObject o;
    try {
      o = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      String reason = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("cannot be decoded");
      throw new ConfigException(source + ": not valid JSON: " + reason, e);
    }
    SCHEMA.validate(o, source);
    int heartbeat = o.getInteger("heartbeatSeconds", 1);
    int maxNoHeartbeat = o.getInteger("maxNoHeartbeatSeconds", 5);
    if (maxNoHeartbeat <= heartbeat) {
      throw new ConfigException(source + ": key 'maxNoHeartbeatSeconds': must be greater than heartbeatSeconds "
          + heartbeat + ", found " + maxNoHeartbeat);
    }
    JsonArray members = o.getJsonArray("members", new JsonArray().add("127.0.0.1"));
    @SuppressWarnings("unchecked")
    List<String> memberList = (List<String>) (List<?>) members.getList();
    return new NodeConfig(source, o.getString("clusterName", "eddy"), o.getString("host", "127.0.0.1"),
        memberList, o.getInteger("hazelcastPort", 5701), o.getInteger("eventBusPort", 0),
        o.getInteger("slots", Runtime.getRuntime().availableProcessors()), o.getInteger("httpPort", 8081),
        heartbeat, maxNoHeartbeat, o.getString("checkpointDirectory"));
  }

  /** @return a copy with another HTTP port (from {@code --http-port}) */
  public NodeConfig withHttpPort(int port) {
    if (port < 0 || port > 65535) {
      throw new ConfigException("--http-port: must be between 0 and 65535, found " + port);
    }
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, slots, port,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory);
  }

  /** @return a copy with another cluster name (tests) */
  public NodeConfig withClusterName(String name) {
    return new NodeConfig(source, name, host, members, hazelcastPort, eventBusPort, slots, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory);
  }

  /** @return a copy with another slot count (tests) */
  public NodeConfig withSlots(int n) {
    return new NodeConfig(source, clusterName, host, members, hazelcastPort, eventBusPort, n, httpPort,
        heartbeatSeconds, maxNoHeartbeatSeconds, checkpointDirectory);
  }
}
