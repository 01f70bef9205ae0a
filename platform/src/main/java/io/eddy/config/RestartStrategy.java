package io.eddy.config;

import io.vertx.core.json.JsonObject;

/**
 * What a job does when a task fails: give up ({@code none}, the default), or restart from its
 * latest completed checkpoint after a delay. From the job's {@code "restartStrategy"} key:
 * {@code {"type": "fixed-delay", "attempts": 3, "delayMillis": 1000}},
 * {@code {"type": "exponential-delay", "initialDelayMillis": 100, "maxDelayMillis": 10000, "multiplier": 2.0}},
 * {@code {"type": "failure-rate", "maxFailures": 3, "intervalMillis": 60000, "delayMillis": 1000}}.
 * Stateful: one instance per job run, asked once per failure.
 */
public final class RestartStrategy {
  public static final ConfigSchema SCHEMA = ConfigSchema.object()
      .required("type", ConfigSchema.oneOf("none", "fixed-delay", "exponential-delay", "failure-rate"))
      .optional("attempts", ConfigSchema.integer().min(0))
      .optional("delayMillis", ConfigSchema.integer().min(0))
      .optional("initialDelayMillis", ConfigSchema.integer().min(0))
      .optional("maxDelayMillis", ConfigSchema.integer().min(0))
      .optional("multiplier", ConfigSchema.number())
      .optional("maxFailures", ConfigSchema.integer().min(1))
      .optional("intervalMillis", ConfigSchema.integer().min(1));

  private final String type;
  private final JsonObject conf;
  private final java.util.ArrayDeque<Long> failureTimes = new java.util.ArrayDeque<>();
  private int failures;
  private long nextDelay;

  private RestartStrategy(String type, JsonObject conf) {
    this.type = type;
    this.conf = conf;
    this.nextDelay = conf.getLong("initialDelayMillis", 100L);
  }

  public static RestartStrategy of(JsonObject jobRaw) {
    JsonObject c = jobRaw.getJsonObject("restartStrategy", new JsonObject().put("type", "none"));
    return new RestartStrategy(c.getString("type"), c);
  }

  /**
   * Records a failure at {@code nowMillis}; returns the delay before restarting, or -1 to give up.
   */
  public long onFailure(long nowMillis) {
    failures++;
    switch (type) {
      case "fixed-delay":
        return failures <= conf.getInteger("attempts", Integer.MAX_VALUE) ? conf.getLong("delayMillis", 0L) : -1;
      case "exponential-delay": {
        long d = nextDelay;
        nextDelay = Math.min(conf.getLong("maxDelayMillis", 60_000L), (long) (nextDelay * conf.getDouble("multiplier", 2.0)));
        return d;
      }
      case "failure-rate": {
        failureTimes.add(nowMillis);
        long window = conf.getLong("intervalMillis", 60_000L);
        while (!failureTimes.isEmpty() && failureTimes.peek() < nowMillis - window) {
          failureTimes.poll();
        }
        return failureTimes.size() <= conf.getInteger("maxFailures", 1) ? conf.getLong("delayMillis", 0L) : -1;
      }
      default:
        return -1;
    }
  }

  /** The longest delay {@link #onFailure} can return: how long a restart may wait at most. */
  public long maxDelayMillis() {
    return switch (type) {
      case "fixed-delay", "failure-rate" -> conf.getLong("delayMillis", 0L);
      case "exponential-delay" -> Math.max(conf.getLong("initialDelayMillis", 100L), conf.getLong("maxDelayMillis", 60_000L));
      default -> 0;
    };
  }

  public String type() {
    return type;
  }
}
