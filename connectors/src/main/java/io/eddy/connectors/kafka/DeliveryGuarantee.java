package io.eddy.connectors.kafka;

/** What a {@link KafkaSink} promises about each record it is given. */
public enum DeliveryGuarantee {
  /** Sent, never waited for: a failure or a crash may lose records. */
  NONE,
  /** Every checkpoint barrier waits until all records before it are acknowledged: nothing lost, replays may duplicate. */
  AT_LEAST_ONCE,
  /** Transactions committed with the job's checkpoints: read_committed readers see each record once. */
  EXACTLY_ONCE;

  /** {@code none}, {@code at-least-once} or {@code exactly-once}. */
  public static DeliveryGuarantee parse(String s) {
    return switch (s) {
      case "none" -> NONE;
      case "at-least-once" -> AT_LEAST_ONCE;
      case "exactly-once" -> EXACTLY_ONCE;
      default -> throw new IllegalArgumentException("unknown delivery guarantee '" + s + "' (none, at-least-once, exactly-once)");
    };
  }
}
