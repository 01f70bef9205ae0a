package io.eddy.connector;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Counts the pieces of work a sink writer has handed to other threads (batches, buffers, sends)
 * against a bound, and answers {@link SinkWriter#backPressure} from the count. Confined to the
 * writer's event loop: call {@link #started} when handing a piece over and {@link #finished} from
 * its completion handler on that loop.
 */
public final class WorkInFlight {
  private final int max;
  private int inFlight;
  private Promise<Void> room; // completed once the count drops below the bound

  /** @param max the most pieces in flight before the writer holds the task's input back; at least 1 */
  public WorkInFlight(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    this.max = max;
  }

  /** A piece of work was handed over. */
  public void started() {
    inFlight++;
  }

  /** A piece of work completed (or failed); a task waiting for room may go on. */
  public void finished() {
    if (--inFlight < max && room != null) {
      Promise<Void> r = room;
      room = null;
      r.complete();
    }
  }

  /** Null while fewer than the bound are in flight; else a future completing once fewer are. */
  public Future<Void> backPressure() {
    if (inFlight < max) {
      return null;
    }
    if (room == null) {
      room = Promise.promise();
    }
    return room.future();
  }

  /** The pieces in flight now. */
  public int inFlight() {
    return inFlight;
  }
}
