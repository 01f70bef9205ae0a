package io.eddy.runtime.operators;

import io.eddy.runtime.OperatorContext;

/**
 * One event-loop timer for an operator's processing-time timers: always set for the earliest of
 * them, so an operator with many timers keeps one Vert.x timer. {@link #request} asks to be woken
 * at a time (ignored when an earlier wake-up is set); the action runs on the task's event loop and
 * should poll what is due and request the next time. Confined to the task's event-loop thread.
 */
final class ProcessingTimeWakeUp {
  private final OperatorContext context;
  private final Runnable action;
  private long at = Long.MAX_VALUE;
  private long timerId = -1;
  private boolean stopped;

  ProcessingTimeWakeUp(OperatorContext context, Runnable action) {
    this.context = context;
    this.action = action;
  }

  void request(long time) {
    if (stopped || time == Long.MAX_VALUE || time >= at) {
      return;
    }
    if (timerId >= 0) {
      context.cancelSchedule(timerId);
    }
    at = time;
    timerId = context.schedule(time, () -> {
      timerId = -1;
      at = Long.MAX_VALUE;
      if (!stopped) {
        action.run();
      }
    });
  }

  /** No wake-up after this (end of input, close). */
  void stop() {
    stopped = true;
    if (timerId >= 0) {
      context.cancelSchedule(timerId);
      timerId = -1;
    }
  }
}
