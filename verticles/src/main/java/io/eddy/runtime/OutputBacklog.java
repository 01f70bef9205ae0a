package io.eddy.runtime;

/**
 * How many of a task's output channels hold sealed frames they have no credit for, and how many of
 * those are full: the two facts the task's input and its operators consult, read in O(1) as often
 * as after every emitted record.
 *
 * <p>A channel holds at most {@link #MAX_FRAMES_PER_CHANNEL} frames beyond its credit before the
 * chain yields: an operator that fires many results at once (a window at a watermark) checks
 * {@link #full} after each result, stops when it is true and resumes when credit arrives, as
 * Hazelcast Jet's {@code Outbox.offer} refuses and its processor is called again. Input is not taken
 * while any channel holds a frame ({@link #backlogged}). Confined to the task's event-loop thread.
 */
public final class OutputBacklog {
  /** The most sealed frames one channel holds without credit before its task yields. */
  public static final int MAX_FRAMES_PER_CHANNEL = 4;

  private int backloggedChannels;
  private int fullChannels;

  /** A channel's count of frames waiting for credit went from {@code before} to {@code after}. */
  void changed(int before, int after) {
    if (before == 0 && after > 0) {
      backloggedChannels++;
    } else if (before > 0 && after == 0) {
      backloggedChannels--;
    }
    if (before < MAX_FRAMES_PER_CHANNEL && after >= MAX_FRAMES_PER_CHANNEL) {
      fullChannels++;
    } else if (before >= MAX_FRAMES_PER_CHANNEL && after < MAX_FRAMES_PER_CHANNEL) {
      fullChannels--;
    }
  }

  /** True while some channel holds a frame it has no credit for: the task takes no new input. */
  boolean backlogged() {
    return backloggedChannels > 0;
  }

  /** True while some channel holds its maximum: operators emitting in a loop must yield. */
  boolean full() {
    return fullChannels > 0;
  }
}
