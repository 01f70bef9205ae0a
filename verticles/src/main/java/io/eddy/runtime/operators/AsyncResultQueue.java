package io.eddy.runtime.operators;

import java.util.List;

/**
 * The records of an async operator whose results have not left it yet, and the watermarks between
 * them, in the order the operator must emit them: {@link Ordered} in input order,
 * {@link Unordered} as requests complete but never across a watermark. A record is
 * {@link #add added} when its request is issued and {@link #complete completed} when its outcome
 * is known; the queue then hands every entry that may leave, and every watermark no longer held
 * back, to its {@link Emitter}, in order. Watermarks that follow each other with no record
 * between them are merged, so the queue holds at most one more watermark than records. Confined to
 * the task's event-loop thread.
 */
abstract class AsyncResultQueue<E extends AsyncResultQueue.Entry> {
  /** Where entries and watermarks leave the queue. */
  interface Emitter<E> {
    void entry(E entry);

    void watermark(long watermark);
  }

  /** One record in the queue; {@link #done} once its outcome is known. */
  static class Entry {
    boolean done;
    Object segment; // the unordered queue's segment holding it
  }

  protected final Emitter<E> emitter;
  protected int records;

  AsyncResultQueue(Emitter<E> emitter) {
    this.emitter = emitter;
  }

  static <E extends Entry> AsyncResultQueue<E> create(boolean ordered, Emitter<E> emitter) {
    return ordered ? new Ordered<>(emitter) : new Unordered<>(emitter);
  }

  /** Records in the queue, complete or not: the requests that take a slot of the capacity. */
  final int size() {
    return records;
  }

  /** True when nothing is held: with no record left, no watermark is held back either. */
  final boolean isEmpty() {
    return records == 0;
  }

  /** Adds the record of a request just issued. */
  abstract void add(E entry);

  /** Adds a watermark; emitted at once when nothing before it is pending. */
  abstract void watermark(long watermark);

  /** The outcome of {@code entry} is known: emits what may leave now. */
  abstract void complete(E entry);

  /** Everything in the queue in input order: entries and watermarks ({@link Long}), for a snapshot. */
  abstract List<Object> elements();

  /** Emits in input order: an entry leaves once it and every element before it are done. */
  static final class Ordered<E extends Entry> extends AsyncResultQueue<E> {
    private final java.util.ArrayDeque<Object> queue = new java.util.ArrayDeque<>();

    Ordered(Emitter<E> emitter) {
      super(emitter);
    }

    @Override
    void add(E entry) {
      queue.add(entry);
      records++;
    }

    @Override
    void watermark(long watermark) {
      if (queue.isEmpty()) {
        emitter.watermark(watermark);
      } else if (queue.peekLast() instanceof Long last) {
        queue.pollLast();
        queue.add(Math.max(last, watermark));
      } else {
        queue.add(watermark);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    void complete(E entry) {
      entry.done = true;
      while (!queue.isEmpty()) {
        Object head = queue.peek();
        if (head instanceof Long w) {
          queue.poll();
          emitter.watermark(w);
        } else if (((E) head).done) {
          queue.poll();
          records--;
          emitter.entry((E) head);
        } else {
          break;
        }
      }
    }

    @Override
    List<Object> elements() {
      return List.copyOf(queue);
    }
  }

  /**
   * Emits as requests complete, within segments: the records between two watermarks form a
   * segment, and only the first segment's records may leave; once it is empty its closing
   * watermark leaves and the next segment's completed records follow.
   */
  static final class Unordered<E extends Entry> extends AsyncResultQueue<E> {
    private static final long OPEN = Long.MIN_VALUE;

    /** Records since the last watermark, and the watermark that closed them (or {@link #OPEN}). */
    private static final class Segment<E> {
      final java.util.LinkedHashSet<E> entries = new java.util.LinkedHashSet<>();
      long watermark = OPEN;
    }

    private final java.util.ArrayDeque<Segment<E>> segments = new java.util.ArrayDeque<>();

    Unordered(Emitter<E> emitter) {
      super(emitter);
    }

    @Override
    void add(E entry) {
      Segment<E> last = segments.peekLast();
      if (last == null || last.watermark != OPEN) {
        last = new Segment<>();
        segments.add(last);
      }
      last.entries.add(entry);
      entry.segment = last;
      records++;
    }

    @Override
    void watermark(long watermark) {
      Segment<E> last = segments.peekLast();
      if (last == null) {
        emitter.watermark(watermark);
      } else if (last.watermark == OPEN) {
        last.watermark = watermark;
      } else {
        last.watermark = Math.max(last.watermark, watermark); // no record since: merge
      }
    }

    @Override
    void complete(E entry) {
      entry.done = true;
      Segment<E> first = segments.peek();
      if (entry.segment != first) {
        return; // leaves once the watermarks before it have
      }
      first.entries.remove(entry);
      records--;
      emitter.entry(entry);
      drain();
    }

    /** While the first segment is empty: drop it (emitting its watermark), emit the next one's done records. */
    private void drain() {
      while (!segments.isEmpty()) {
        Segment<E> first = segments.peek();
        if (!first.entries.isEmpty()) {
          return;
        }
        segments.poll();
        if (first.watermark == OPEN) {
          return; // the last segment: new records open a new one
        }
        emitter.watermark(first.watermark);
        Segment<E> next = segments.peek();
        if (next != null) {
          for (java.util.Iterator<E> it = next.entries.iterator(); it.hasNext(); ) {
            E e = it.next();
            if (e.done) {
              it.remove();
              records--;
              emitter.entry(e);
            }
          }
        }
      }
    }

    @Override
    List<Object> elements() {
      List<Object> all = new java.util.ArrayList<>();
      for (Segment<E> s : segments) {
        all.addAll(s.entries);
        if (s.watermark != OPEN) {
          all.add(s.watermark);
        }
      }
      return all;
    }
  }
}
