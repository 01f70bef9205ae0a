package io.eddy.state;

/** A value with the time it was last written (or read, with refresh on read). */
final class TtlValue {
  final Object value;
  long stamp;

  TtlValue(Object value, long stamp) {
    this.value = value;
    this.stamp = stamp;
  }
}
