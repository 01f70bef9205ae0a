package io.eddy.runtime.operators;

import io.eddy.runtime.OperatorContext;
import io.eddy.checkpoint.KeyGroupSections;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.state.HeapTimerStore;
import io.eddy.state.TimerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The event-time and processing-time timers of one keyed operator: the one timer implementation of
 * the runtime ({@link KeyedProcessOperator}, {@link GeneralWindowOperator}).
 *
 * <p>An operator creates its {@linkplain Queue queues} before it is restored or opened (a keyed
 * process function has one; the window operator has its triggers' timers and, after them, its
 * windows' cleanups). Each queue holds at most one timer per (time, key, namespace) in each time
 * domain, in a {@link TimerStore} from the operator's state backend: on the heap by default, in
 * RocksDB when the job uses the RocksDB backend, whose snapshots then carry them.
 *
 * <p><b>Firing.</b> {@link #advanceWatermark} fires the event-time timers due at a watermark, queue
 * by queue in creation order, each queue in time order; the operator calls it before it forwards
 * the watermark, so what the timers emit comes ahead of it. Processing-time timers fire from one
 * wake-up ({@link WallClock#schedule}) set for the earliest of them: queue by queue, every timer due
 * at the wake-up's wall-clock time. Timers a firing registers that are due fire in the same round.
 * After {@link #endOfInput} no processing-time timer fires any more (Flink 2.3 quiesces its
 * processing-time service at the end of a bounded input in STREAMING mode); event-time timers still
 * fire with the final watermark.
 *
 * <p><b>Checkpoints.</b> {@link #snapshot} writes the timers of heap stores into the operator's
 * key-group sections (tagged records; {@link #isTimerRecord} tells them from the operator's own) and
 * {@link #restore} reads them back, so rescaling moves each timer with its key group. RocksDB
 * stores are in the backend's snapshot and write nothing here.
 *
 * <p><b>Threads.</b> Confined to the task's event-loop thread: every method, the wake-up and the
 * {@link Firing} callback run there. The callback may register and delete timers (of any queue) and
 * emit; it must not block, and must not call {@link #advanceWatermark} or {@link #fireProcessingTime}.
 * On RocksDB, registering, deleting and firing a timer make its key current in the backend.
 */
public final class KeyedTimers {
  /** Where a timer fires from. */
  public enum Domain { EVENT_TIME, PROCESSING_TIME }

  /** Fires one timer that is due (see the class comment for what it may do). */
  @FunctionalInterface
  public interface Firing {
    void onTimer(Queue queue, Domain domain, TimerStore.Timer timer);
  }

  /** Wall-clock time and the event-loop timer of the processing-time wake-up. */
  public interface WallClock {
    long now();

    /** Runs {@code action} on the task's event loop at wall-clock {@code time}; returns an id. */
    long schedule(long time, Runnable action);

    void cancel(long id);
  }

  /** Creates the store of a queue in a domain, by a name unique in the operator. */
  @FunctionalInterface
  public interface Stores {
    TimerStore create(String name);
  }

  private static final int TAG_BASE = 64;

  private final Stores stores;
  private final WallClock clock;
  private final Firing firing;
  private final List<Queue> queues = new ArrayList<>(2);
  private long wakeUpAt = Long.MAX_VALUE;
  private long wakeUpId = -1;
  private boolean stopped;

  public KeyedTimers(Stores stores, WallClock clock, Firing firing) {
    this.stores = stores;
    this.clock = clock;
    this.firing = firing;
  }

  /**
   * The timers of an operator: in its RocksDB backend when the job uses RocksDB, else on the heap;
   * the operator's event-loop timers for the wake-up.
   *
   * @param namespaceSerde writes the namespaces of the timers (equal ones as equal bytes), or null
   *     when they are all null
   */
  public static KeyedTimers of(OperatorContext context, Serde<Object> namespaceSerde, Firing firing) {
    Stores stores = stateInRocksDb(context)
        ? name -> context.keyedStateBackend().timerStore(name, namespaceSerde)
        : name -> new HeapTimerStore();
    return new KeyedTimers(stores, new WallClock() {
      @Override
      public long now() {
        return System.currentTimeMillis();
      }

      @Override
      public long schedule(long time, Runnable action) {
        return context.schedule(time, action);
      }

      @Override
      public void cancel(long id) {
        context.cancelSchedule(id);
      }
    }, firing);
  }

  /**
   * True when the job keeps its keyed state in RocksDB: timers and general windows then live there
   * too. The one place the runtime's keyed operators read that setting.
   */
  static boolean stateInRocksDb(OperatorContext context) {
    return context.jobConfig().state().backend() == io.eddy.config.StateSettings.Backend.ROCKSDB;
  }

  /** A new queue, fired after those created before it; call before restore and open. */
  public Queue queue(String name) {
    Queue q = new Queue(name, queues.size());
    queues.add(q);
    return q;
  }

  /** One kind of timer of the operator, in both domains. */
  public final class Queue {
    private final String name;
    private final int index;
    private final TimerStore eventTime;
    private final TimerStore processingTime;

    private Queue(String name, int index) {
      this.name = name;
      this.index = index;
      this.eventTime = stores.create(name + "/event");
      this.processingTime = stores.create(name + "/processing");
    }

    public String name() {
      return name;
    }

    public void registerEventTime(long time, Object key, Object namespace) {
      eventTime.add(time, key, namespace);
    }

    public void deleteEventTime(long time, Object key, Object namespace) {
      eventTime.delete(time, key, namespace);
    }

    public void registerProcessingTime(long time, Object key, Object namespace) {
      processingTime.add(time, key, namespace);
      requestWakeUp(time);
    }

    public void deleteProcessingTime(long time, Object key, Object namespace) {
      processingTime.delete(time, key, namespace);
    }

    private TimerStore store(int domain) {
      return domain == 0 ? eventTime : processingTime;
    }
  }

  /** Fires every event-time timer with {@code time <= watermark}. */
  public void advanceWatermark(long watermark) {
    advanceWatermark(watermark, () -> false);
  }

  /**
   * Fires the event-time timers with {@code time <= watermark}, asking {@code yieldNow} after each
   * (the operator's {@code yieldIfOutputFull}); returns false when it stopped because the answer was
   * yes. Called again with the same watermark, it goes on with the timers still due: a fired timer
   * is gone from its store.
   */
  public boolean advanceWatermark(long watermark, java.util.function.BooleanSupplier yieldNow) {
    for (Queue q : queues) {
      TimerStore.Timer t;
      while ((t = q.eventTime.pollDue(watermark)) != null) {
        firing.onTimer(q, Domain.EVENT_TIME, t);
        if (yieldNow.getAsBoolean()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Sets the wake-up for the timers there are (restored ones); call from the operator's open. */
  public void start() {
    requestWakeUp(nextProcessingTime());
  }

  /** Fires every processing-time timer due now and sets the next wake-up (the wake-up calls it). */
  public void fireProcessingTime() {
    long now = clock.now();
    for (Queue q : queues) {
      TimerStore.Timer t;
      while ((t = q.processingTime.pollDue(now)) != null) {
        firing.onTimer(q, Domain.PROCESSING_TIME, t);
      }
    }
    requestWakeUp(nextProcessingTime());
  }

  private long nextProcessingTime() {
    long next = Long.MAX_VALUE;
    for (Queue q : queues) {
      next = Math.min(next, q.processingTime.nextTime());
    }
    return next;
  }

  /** Wakes up at {@code time} unless an earlier wake-up is set. */
  private void requestWakeUp(long time) {
    if (stopped || time == Long.MAX_VALUE || time >= wakeUpAt) {
      return;
    }
    if (wakeUpId >= 0) {
      clock.cancel(wakeUpId);
    }
    wakeUpAt = time;
    wakeUpId = clock.schedule(time, () -> {
      wakeUpId = -1;
      wakeUpAt = Long.MAX_VALUE;
      if (!stopped) {
        fireProcessingTime();
      }
    });
  }

  /** The input ended: no processing-time timer fires after this, as in Flink. */
  public void endOfInput() {
    stop();
  }

  /** The operator closes: no wake-up after this. */
  public void close() {
    stop();
  }

  private void stop() {
    stopped = true;
    if (wakeUpId >= 0) {
      clock.cancel(wakeUpId);
      wakeUpId = -1;
    }
  }

  /** Writes the timers of heap stores into the operator's key-group sections (a snapshot's). */
  public void snapshot(KeyGroupSections sections, ToIntFunction<Object> keyGroupOf, Serde<Object> any) {
    for (Queue q : queues) {
      for (int domain = 0; domain < 2; domain++) {
        TimerStore s = q.store(domain);
        if (s.inBackendSnapshot()) {
          continue;
        }
        int tag = TAG_BASE + q.index * 2 + domain;
        s.forEach(t -> {
          DataWriter out = sections.section(keyGroupOf.applyAsInt(t.key()));
          out.writeByte(tag);
          out.writeLong(t.time());
          any.write(t.key(), out);
          any.write(t.namespace(), out);
        });
      }
    }
  }

  /** True when a record of a key-group section with this first byte is a timer of {@link #snapshot}. */
  public static boolean isTimerRecord(int tag) {
    return tag >= TAG_BASE;
  }

  /** Reads back one timer record (its tag already read) into its queue; call before {@link #start}. */
  public void restore(int tag, DataReader in, Serde<Object> any) {
    long time = in.readLong();
    Object key = any.read(in);
    Object namespace = any.read(in);
    int index = (tag - TAG_BASE) / 2;
    if (index >= queues.size()) {
      throw new IllegalStateException("a checkpoint holds timers of queue " + index + " but the operator has "
          + queues.size() + " timer queues");
    }
    queues.get(index).store((tag - TAG_BASE) % 2).add(time, key, namespace);
  }
}
