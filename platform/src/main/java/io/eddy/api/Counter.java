package io.eddy.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A metric that only grows, owned by one subtask. Incremented on the task's event-loop thread;
 * read from any thread (metrics, REST, tests), which sees a recent value.
 */
public final class Counter {
  private final String name;
  private final AtomicLong value = new AtomicLong();

  public Counter(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public void inc() {
    value.lazySet(value.get() + 1);
  }

  public void add(long n) {
    value.lazySet(value.get() + n);
  }

  /** Keeps the larger of the current value and {@code candidate}: for high-water marks. */
  public void max(long candidate) {
    if (candidate > value.get()) {
      value.lazySet(candidate);
    }
  }

  public long get() {
    return value.get();
  }
}
