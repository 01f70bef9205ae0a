package io.eddy.time;

import java.util.HashSet;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The timers of one operator in one time domain (event or processing time): at most one timer per
 * (time, key), fired in time order. Deletion is lazy: a deleted timer stays in the queue until it
 * comes up and is then skipped. Confined to the task's event-loop thread.
 */
public final class TimerQueue {
  private final PriorityQueue<Timer> queue = new PriorityQueue<>();
  private final Set<Timer> live = new HashSet<>();

  /** A timer: its time and the key it belongs to. */
  public record Timer(long time, Object key) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      return Long.compare(time, o.time);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Timer t && t.time == time && Objects.equals(t.key, key);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(time) * 31 + Objects.hashCode(key);
    }
  }

  public void register(long time, Object key) {
    Timer t = new Timer(time, key);
    if (live.add(t)) {
      queue.add(t);
    }
  }

  public void delete(long time, Object key) {
    live.remove(new Timer(time, key));
  }

  /** Removes and returns the earliest live timer with {@code time <= upTo}, or null if none. */
  public Timer pollDue(long upTo) {
    while (!queue.isEmpty() && queue.peek().time <= upTo) {
      Timer t = queue.poll();
      if (live.remove(t)) {
        return t;
      }
    }
    return null;
  }

  /** The time of the earliest timer (possibly a deleted one), or {@link Long#MAX_VALUE}. */
  public long nextTime() {
    Timer t = queue.peek();
    return t == null ? Long.MAX_VALUE : t.time;
  }

  /** Hands every live timer to {@code action}, in no particular order. */
  public void forEach(java.util.function.Consumer<Timer> action) {
    live.forEach(action);
  }

  public int size() {
    return live.size();
  }
}
