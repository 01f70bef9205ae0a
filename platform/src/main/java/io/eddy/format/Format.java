package io.eddy.format;

/**
 * How records of type {@code T} are written as bytes and read back: the deserializer and the
 * serializer a connector (a Kafka topic, a file, a socket) applies to each message or line.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #deserialize} turns one message into one record. It is never given {@code null}
 *       (what an absent payload means is the connector's decision). It returns {@code null} only
 *       when the bytes hold no record by design (a CSV header line): the caller then emits nothing.
 *       Bytes that do not parse raise a {@link FormatException} whose {@link FormatException#reason()}
 *       says why; the caller names where (topic/partition/offset, file and line) and applies the
 *       job's bad-record policy. Any other exception is a bug in the format.</li>
 *   <li>{@link #serialize} turns one record into one message; it throws {@link FormatException}
 *       for a record the format cannot represent.</li>
 *   <li>Formats are stateless after construction (a CSV header seen by {@link #deserialize} is the
 *       exception, kept per format instance), so a connector creates one instance per subtask and
 *       calls it from that subtask's thread only. Neither method blocks.</li>
 * </ul>
 */
public interface Format<T> {
  T deserialize(byte[] bytes) throws FormatException;

  byte[] serialize(T record) throws FormatException;

  /** A short name for messages and metrics: {@code "json"}, {@code "csv"}, ... */
  String name();

  /**
   * The type of the records this format reads: what a source using it produces. The default reads the type argument
   * of {@code Format} from the class declaration; a generic format overrides it. Null when unknown.
   */
  default java.lang.reflect.Type type() {
    return io.eddy.graph.TypeExtraction.fromClass(getClass(), Format.class, 0, getClass().getName()).type();
  }
}
