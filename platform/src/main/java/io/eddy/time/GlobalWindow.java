package io.eddy.time;

/** The one window of {@link GlobalWindows}: all records of a key; fires only by its trigger. */
public enum GlobalWindow implements Window {
  INSTANCE;

  @Override
  public long maxTimestamp() {
    return Long.MAX_VALUE;
  }
}
