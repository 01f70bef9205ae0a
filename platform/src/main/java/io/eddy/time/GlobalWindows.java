package io.eddy.time;

import java.util.Collection;
import java.util.List;

/** One window per key holding all its records; it fires only as its trigger says (default: never). */
public final class GlobalWindows<T> implements WindowAssigner<T, GlobalWindow> {
  private static final List<GlobalWindow> ONLY = List.of(GlobalWindow.INSTANCE);

  private GlobalWindows() {}

  public static <T> GlobalWindows<T> create() {
    return new GlobalWindows<>();
  }

  @Override
  public Collection<GlobalWindow> assignWindows(T record, long timestamp, long now) {
    return ONLY;
  }

  @Override
  public Trigger<T, GlobalWindow> defaultTrigger() {
    return Triggers.never();
  }

  @Override
  public boolean isEventTime() {
    return false;
  }
}
