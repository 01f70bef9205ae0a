package io.eddy.deployer;

import io.eddy.config.JobConfig;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks what a node reads from the cluster-wide maps before it acts on it. Hazelcast open source authenticates no
 * member, so an entry may have been written by anyone who reached the cluster port, or by an older version: an entry
 * that does not have the shape the writers in this package give it is logged once per read and treated as absent.
 * Stateless; callable from any thread.
 */
final class ClusterMapEntries {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMapEntries.class);
  /** Cluster manager node ids (UUIDs) and job ids ({@code <job name>-<8 hex>}). */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private ClusterMapEntries() {}

  /**
   * A node's advertisement in {@link ClusterNode#NODES_MAP}: {@code {id, host, httpPort, slots, usedSlots}}.
   *
   * @param key   the map key it was stored under
   * @param value what the map held
   * @return the advertisement, or null (logged) if malformed
   */
  static JsonObject node(String key, Object value) {
    String problem = nodeProblem(key, value);
    if (problem != null) {
      LOG.warn("ignoring entry '{}' of cluster map {}: {}", abbreviate(key), ClusterNode.NODES_MAP, problem);
      return null;
    }
    return (JsonObject) value;
  }

  private static String nodeProblem(String key, Object value) {
    if (!(value instanceof JsonObject n)) {
      return "not a JSON object";
    }
    if (!(n.getValue("id") instanceof String id) || !ID.matcher(id).matches() || !id.equals(key)) {
      return "'id' is not the node id it is stored under";
    }
    if (!(n.getValue("host") instanceof String host) || host.isBlank() || host.length() > 255) {
      return "'host' is not a host name";
    }
    if (!isInt(n.getValue("httpPort"), 0, 65535) || !isInt(n.getValue("slots"), 1, 4096)
        || !isInt(n.getValue("usedSlots"), 0, 4096)) {
      return "'httpPort', 'slots' or 'usedSlots' is not an integer in range";
    }
    return null;
  }

  /**
   * The leader record, {@link ClusterNode#LEADER_KEY} in {@link ClusterNode#CLUSTER_MAP}.
   *
   * @param value what the map held
   * @return the leader's node id, or null (no leader; logged if malformed)
   */
  static String leader(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String id && ID.matcher(id).matches()) {
      return id;
    }
    LOG.warn("ignoring the leader record of cluster map {}: not a node id", ClusterNode.CLUSTER_MAP);
    return null;
  }

  /**
   * A job entry of {@link JobRegistry#JOBS_MAP} or its durable copy: {@code id} (equal to the key, if given), a known
   * {@code state}, an integer {@code attempt} if present, a {@code config} object whose {@code name} is a valid job
   * name and a {@code source} string if present.
   *
   * @param key   the map key, or null for a durable copy
   * @param value what the map or file held
   * @return the entry, or null (logged) if malformed
   */
  static JsonObject job(String key, Object value) {
    String problem = jobProblem(key, value);
    if (problem != null) {
      LOG.warn("ignoring job entry '{}' of cluster map {}: {}", abbreviate(key), JobRegistry.JOBS_MAP, problem);
      return null;
    }
    return (JsonObject) value;
  }

  private static String jobProblem(String key, Object value) {
    if (!(value instanceof JsonObject j)) {
      return "not a JSON object";
    }
    if (!(j.getValue("id") instanceof String id) || !ID.matcher(id).matches() || (key != null && !id.equals(key))) {
      return "'id' is not the job id it is stored under";
    }
    if (!(j.getValue("state") instanceof String state) || !isStatus(state)) {
      return "'state' is not one of CREATED RUNNING RESTARTING FINISHED FAILED CANCELED";
    }
    if (j.containsKey("attempt") && !isInt(j.getValue("attempt"), -1, Integer.MAX_VALUE)) {
      return "'attempt' is not an integer";
    }
    Object config = j.getValue("config");
    if (config != null && !(config instanceof JsonObject c
        && (!c.containsKey("name") || c.getValue("name") instanceof String n && n.matches(JobConfig.NAME)))) {
      return "'config' is not a job configuration with a valid name";
    }
    if (j.getValue("metrics") != null && !(j.getValue("metrics") instanceof JsonObject)) {
      return "'metrics' is not an object";
    }
    if (j.getValue(JobRegistry.DETAILS_KEY) != null && !(j.getValue(JobRegistry.DETAILS_KEY) instanceof JsonObject)) {
      return "'" + JobRegistry.DETAILS_KEY + "' is not an object";
    }
    if (j.containsKey("firstCheckpointId") && !isInt(j.getValue("firstCheckpointId"), 0, Long.MAX_VALUE)) {
      return "'firstCheckpointId' is not an integer";
    }
    for (String text : new String[] {"source", "restoreFrom", "name", "error"}) {
      if (j.getValue(text) != null && !(j.getValue(text) instanceof String)) {
        return "'" + text + "' is not a string";
      }
    }
    return null;
  }

  private static boolean isStatus(String state) {
    for (JobStatus s : JobStatus.values()) {
      if (s.name().equals(state)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isInt(Object v, long min, long max) {
    return (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min
        && ((Number) v).longValue() <= max;
  }

  private static String abbreviate(String s) {
    return s == null ? "(file)" : s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
