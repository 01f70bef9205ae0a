package io.eddy.cli;

import io.eddy.runtime.LiveTasks;
import io.eddy.runtime.TaskMetrics;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress line of {@code run} on a terminal: records read by the job's sources, the rate over the last
 * interval, and the time since the start, rewritten in place once a second and ended with a line break when the job
 * ends. Nothing is printed when the output is not a terminal (a pipe, a file, a test), so scripts see only the
 * command's result. Runs on a daemon thread of its own: it reads counters the tasks update on their event loops
 * (a value a little behind is fine for a progress line) and never touches an event loop.
 */
final class RunProgress implements AutoCloseable {
  private final PrintStream out;
  private final LongSupplier records;
  private final LongSupplier nanos;
  private final long startNanos;
  private long lastRecords;
  private long lastNanos;
  private boolean printed;
  private ScheduledExecutorService timer;

  RunProgress(PrintStream out, LongSupplier records, LongSupplier nanos) {
    this.out = out;
    this.records = records;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
    this.lastNanos = startNanos;
  }

  /** Shows the progress of job {@code jobId} on {@code System.out} if it is a terminal; else does nothing. */
  static RunProgress onTerminal(String jobId) {
    RunProgress p = new RunProgress(System.out, () -> recordsRead(jobId), System::nanoTime);
    if (System.console() != null) {
      p.timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eddy-run-progress");
        t.setDaemon(true);
        return t;
      });
      p.timer.scheduleAtFixedRate(p::tick, 1, 1, TimeUnit.SECONDS);
    }
    return p;
  }

  /** What the sources of a job have read so far, over the subtasks running in this JVM. */
  static long recordsRead(String jobId) {
    long n = 0;
    for (var task : LiveTasks.all()) {
      if (task.id().jobId().equals(jobId)) {
        n += task.metrics().get(TaskMetrics.SOURCE_RECORDS);
      }
    }
    return n;
  }

  /** Rewrites the progress line. */
  synchronized void tick() {
    long now = nanos.getAsLong();
    long read = Math.max(records.getAsLong(), lastRecords); // tasks of an ended attempt no longer count
    double seconds = (now - lastNanos) / 1e9;
    double rate = seconds <= 0 ? 0 : (read - lastRecords) / seconds;
    out.print("\r" + line(read, rate, (now - startNanos) / 1e9));
    out.flush();
    printed = true;
    lastRecords = read;
    lastNanos = now;
  }

  static String line(long records, double ratePerSecond, double elapsedSeconds) {
    return String.format(Locale.ROOT, "%,d records read, %,.0f records/s, %.1f s elapsed", records, ratePerSecond,
        elapsedSeconds);
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (printed) {
      out.println(); // the result goes on a line of its own
    }
  }
}
