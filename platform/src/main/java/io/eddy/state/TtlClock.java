package io.eddy.state;

/**
 * The processing-time clock that state time-to-live is measured with: wall-clock milliseconds in
 * production, a controllable clock in tests. Read on the task's event loop and, for cleanup during
 * snapshots, on worker threads: implementations must be thread-safe.
 */
@FunctionalInterface
public interface TtlClock {
  TtlClock SYSTEM = System::currentTimeMillis;

  long currentTimeMillis();
}
