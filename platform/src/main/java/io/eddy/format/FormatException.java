package io.eddy.format;

/**
 * Bytes that a {@link Format} cannot read, or a record it cannot write. {@link #reason()} says
 * what is wrong with the data only; the connector that caught it adds where it came from.
 */
public class FormatException extends RuntimeException {
  private final String reason;

  public FormatException(String reason) {
    super(reason);
    this.reason = reason;
  }

  public FormatException(String reason, Throwable cause) {
    super(reason, cause);
    this.reason = reason;
  }

  /** What is wrong, without the location: {@code "field 'price': 'abc' is not a number"}. */
  public String reason() {
    return reason;
  }
}
