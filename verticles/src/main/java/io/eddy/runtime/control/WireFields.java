package io.eddy.runtime.control;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The field encoding the control codecs share (the task messages here, the deployers' requests in the deployer):
 * fixed-width big-endian numbers, a flag as one byte, a string as its UTF-8 length (-1 for null) and bytes. Writing
 * appends to a buffer; reading is a position in one that checks every length against what is left, so a damaged
 * message is refused with an error, never read past its end. Not thread-safe; one reader per message.
 */
public final class WireFields {
  private final Buffer b;
  private int at;

  /** Reads {@code b} from {@code at}. */
  public WireFields(Buffer b, int at) {
    this.b = b;
    this.at = at;
  }

  /** Appends {@code s} (may be null). */
  public static Buffer appendString(Buffer b, String s) {
    if (s == null) {
      return b.appendInt(-1);
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return b.appendInt(bytes.length).appendBytes(bytes);
  }

  /** Appends a count and each string. */
  public static Buffer appendStrings(Buffer b, java.util.List<String> strings) {
    b.appendInt(strings.size());
    strings.forEach(x -> appendString(b, x));
    return b;
  }

  /** Strings written by {@link #appendStrings}. */
  public java.util.List<String> strings() {
    int n = count(4);
    java.util.List<String> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(string());
    }
    return out;
  }

  public byte byteValue() {
    return b.getByte(at++);
  }

  public boolean flag() {
    return byteValue() == 1;
  }

  public int intValue() {
    int v = b.getInt(at);
    at += 4;
    return v;
  }

  public long longValue() {
    long v = b.getLong(at);
    at += 8;
    return v;
  }

  /** A count of elements of at least {@code bytesEach} bytes each: one the rest of the message cannot hold is refused. */
  public int count(int bytesEach) {
    int n = intValue();
    if (n < 0 || (long) n * bytesEach > b.length() - at) {
      throw new IllegalArgumentException("corrupt message: a count of " + n + " at byte " + (at - 4));
    }
    return n;
  }

  /** A string written by {@link #appendString}, or null. */
  public String string() {
    int len = intValue();
    if (len < 0) {
      return null;
    }
    if (len > b.length() - at) {
      throw new IllegalArgumentException("corrupt message: a string of " + len + " bytes at byte " + (at - 4) + " of "
          + b.length());
    }
    String s = b.getString(at, at + len, "UTF-8");
    at += len;
    return s;
  }
}
