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

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

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
}
