package io.eddy.state;

import java.util.Comparator;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link TimerStore} on the heap: a priority queue by time and a set of the live timers.
 * Deletion is lazy: a deleted timer stays in the queue until it comes up and is then skipped.
 * Timers of equal time come out in the queue's order. Its user snapshots it ({@link #forEach}).
 * Confined to the task's event-loop thread.
 */
public final class HeapTimerStore implements TimerStore {
  private static final Comparator<Timer> BY_TIME = Comparator.comparingLong(Timer::time);
  private final PriorityQueue<Timer> queue = new PriorityQueue<>(BY_TIME);
  private final Set<Timer> live = new HashSet<>();

  @Override
  public void add(long time, Object key, Object namespace) {
    Timer t = new Timer(time, key, namespace);
    if (live.add(t)) {
      queue.add(t);
    }
  }

  @Override
  public void delete(long time, Object key, Object namespace) {
    live.remove(new Timer(time, key, namespace));
  }

  @Override
  public Timer pollDue(long upTo) {
    while (!queue.isEmpty() && queue.peek().time() <= upTo) {
      Timer t = queue.poll();
      if (live.remove(t)) {
        return t;
      }
    }
    return null;
  }

  @Override
  public long nextTime() {
    Timer t = queue.peek();
    return t == null ? Long.MAX_VALUE : t.time();
  }

  @Override
  public boolean inBackendSnapshot() {
    return false;
  }

  @Override
  public void forEach(Consumer<Timer> action) {
    live.forEach(action);
  }

  /** The number of live timers. */
  public int size() {
    return live.size();
  }
}
