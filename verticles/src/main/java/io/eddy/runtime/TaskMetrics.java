package io.eddy.runtime;

import io.eddy.api.Counter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of one subtask: the task's own (records and frames in and out, the most frames in
 * flight on any output channel) and those its operators create. Created on the task's thread;
 * readable from any thread.
 */
public final class TaskMetrics {
  public static final String RECORDS_IN = "recordsIn";
  /** Records read from the job's sources; summed over a job's attempts, anything above its input was replayed. */
  public static final String SOURCE_RECORDS = "sourceRecords";
  public static final String RECORDS_OUT = "recordsOut";
  public static final String FRAMES_IN = "framesIn";
  public static final String FRAMES_OUT = "framesOut";
  /** The highest number of frames sent on one channel and not yet acknowledged with credit. */
  public static final String MAX_FRAMES_IN_FLIGHT = "maxFramesInFlight";
  /** The highest number of frames queued on one input channel. */
  public static final String MAX_FRAMES_QUEUED = "maxFramesQueued";
  /** The most sealed frames one output channel held without credit (bounded: see {@code OutputBacklog}). */
  public static final String MAX_FRAMES_BACKLOGGED = "maxFramesBacklogged";

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  // Gauges and clocks, written on the task's event loop at most once per frame or watermark (never per record) and
  // read by whoever reports them: volatile, so a reader on another thread sees recent values.
  private volatile long runningSinceMillis;
  private volatile long inputWatermark = Long.MIN_VALUE;
  private volatile long outputWatermark = Long.MIN_VALUE;
  private volatile long lastAlignmentNanos;
  private volatile long blockedNanos; // completed intervals with some output channel out of credit
  private volatile long blockedSinceNanos; // start of the current interval, 0 when none
  private int blockedChannels; // event loop only
  private volatile Map<String, Long> stateBytes = Map.of(); // by operator uid, as of the last acknowledged checkpoint

  public Counter counter(String name) {
    return counters.computeIfAbsent(name, Counter::new);
  }

  public long get(String name) {
    Counter c = counters.get(name);
    return c == null ? 0 : c.get();
  }

  /** A sorted copy of all values. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    counters.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** The task started running (its event loop). */
  void running(long epochMillis) {
    runningSinceMillis = epochMillis;
  }

  /** The watermark the task's input gate passed to its chain (its event loop, once per watermark). */
  void inputWatermark(long watermark) {
    inputWatermark = watermark;
  }

  /** The watermark the chain sent downstream (its event loop, once per watermark). */
  void outputWatermark(long watermark) {
    outputWatermark = watermark;
  }

  /** How long the last aligned checkpoint held input channels, first barrier to last (its event loop). */
  void alignment(long nanos) {
    lastAlignmentNanos = nanos;
  }

  /**
   * An output channel now holds a sealed frame it has no credit for (its event loop, once per such frame). The
   * task is back-pressured from the first such channel until the last one is sent.
   */
  void channelOutOfCredit() {
    if (blockedChannels++ == 0) {
      blockedSinceNanos = System.nanoTime();
    }
  }

  /** A channel that was out of credit has sent everything it held (its event loop). */
  void channelReleased() {
    if (--blockedChannels == 0) {
      blockedNanos += System.nanoTime() - blockedSinceNanos;
      blockedSinceNanos = 0;
    }
  }

  /**
   * The subtask acknowledged a checkpoint (its event loop, once per checkpoint, before the acknowledgement is sent).
   *
   * @param bytesByOperator each operator's state size in that checkpoint, by operator uid ({@code name#id})
   */
  void checkpointed(Map<String, Long> bytesByOperator) {
    stateBytes = Map.copyOf(bytesByOperator);
  }

  /** @return each operator's state size in the subtask's last acknowledged checkpoint, by uid; empty before it */
  public Map<String, Long> stateBytes() {
    return stateBytes;
  }

  /** @return the time so far with some output channel out of credit, including the current interval */
  public long backPressuredNanos() {
    long since = blockedSinceNanos;
    return blockedNanos + (since == 0 ? 0 : System.nanoTime() - since);
  }

  /**
   * The task's gauges as of now, read when a report is sent: {@code atMillis}, {@code runningSinceMillis},
   * {@code backPressuredNanos}, {@code inputWatermark} and {@code outputWatermark} ({@link Long#MIN_VALUE} before the
   * first), {@code alignmentNanos} (of the last aligned checkpoint), and once the subtask has acknowledged a
   * checkpoint {@code stateBytes} (its state size in it, summed over its operators).
   */
  public Map<String, Long> gauges() {
    Map<String, Long> g = new TreeMap<>();
    g.put("atMillis", System.currentTimeMillis());
    g.put("runningSinceMillis", runningSinceMillis);
    g.put("backPressuredNanos", backPressuredNanos());
    g.put("inputWatermark", inputWatermark);
    g.put("outputWatermark", outputWatermark);
    g.put("alignmentNanos", lastAlignmentNanos);
    Map<String, Long> state = stateBytes;
    if (!state.isEmpty()) {
      g.put("stateBytes", state.values().stream().mapToLong(Long::longValue).sum());
    }
    return g;
  }
}
