package io.eddy.time;

/** A finite (or global) group of records of one key. */
public interface Window {
  /** The largest timestamp that still belongs to the window; it fires once time passes it. */
  long maxTimestamp();
}
