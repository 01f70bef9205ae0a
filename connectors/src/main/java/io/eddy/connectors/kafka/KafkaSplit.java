package io.eddy.connectors.kafka;

import io.eddy.connector.SourceSplit;
import io.vertx.core.json.JsonObject;

/**
 * One partition of a topic, read from {@code startOffset} (the resolved start position, used
 * only when no checkpoint records a position for it) up to, not including, {@code stopOffset}
 * ({@link #UNBOUNDED}: no end).
 */
public record KafkaSplit(String topic, int partition, long startOffset, long stopOffset) implements SourceSplit {
  public static final long UNBOUNDED = -1;

  @Override
  public String id() {
    return topic + "-" + partition;
  }

  boolean bounded() {
    return stopOffset != UNBOUNDED;
  }

  String toText() {
    return new JsonObject().put("topic", topic).put("partition", partition)
        .put("start", startOffset).put("stop", stopOffset).encode();
  }

  static KafkaSplit fromText(String text) {
    JsonObject o = new JsonObject(text);
    return new KafkaSplit(o.getString("topic"), o.getInteger("partition"), o.getLong("start"), o.getLong("stop"));
  }
}
