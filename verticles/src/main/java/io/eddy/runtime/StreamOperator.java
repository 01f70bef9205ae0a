package io.eddy.runtime;

import io.eddy.api.function.RichFunction;

/**
 * A running operator of a chain: receives records as an {@link Output} of its predecessor and
 * emits into {@link #output}. The task calls, on its event-loop thread and never concurrently:
 * {@link #setup} then {@link #open} once, then {@link #collect}, {@link #watermark} any number of
 * times, {@link #endOfInput} once for a bounded input, and {@link #close} once at the end, also
 * after a failure. No method may block.
 *
 * <p>A failure of user code is thrown as an {@link OperatorException} built by {@link #failure},
 * which names the operator. By default watermarks and the end of input pass straight through.
 *
 * <p>An operator that may emit without bound for one input (a window firing at a watermark) emits
 * in a loop that asks {@link #yieldIfOutputFull} after each result and stops when it says so; its
 * {@link #onWatermark} is then called again with the same watermark once the output has room, and
 * must carry on where it stopped (what it fired is gone from its state). The watermark, and an end
 * of input that follows it, pass on only once it has fired everything: the output of a task stays
 * within a fixed number of frames per channel, as Hazelcast Jet's {@code Outbox} does.
 */
public abstract class StreamOperator<IN, OUT> implements Output<IN> {
  protected OperatorContext context;
  protected Output<OUT> output;

  private static final long NO_WATERMARK = Long.MIN_VALUE;
  private long heldWatermark = NO_WATERMARK; // the watermark whose firing yielded
  private boolean yielded;
  private boolean endHeld; // the end of input arrived while a watermark was held

  public final void setup(OperatorContext context, Output<OUT> output) {
    this.context = context;
    this.output = output;
  }

  /** The user function this operator applies, given its {@link RichFunction} lifecycle; or null. */
  protected Object userFunction() {
    return null;
  }

  public void open() throws Exception {
    if (userFunction() instanceof RichFunction f) {
      f.open(context);
    }
  }

  /**
   * Watermarks pass to the main output and every side output, after {@link #onWatermark} has
   * fired what is due, so results precede the watermark that caused them.
   */
  @Override
  public void watermark(long watermark) {
    onWatermark(watermark);
    if (yielded) {
      heldWatermark = watermark;
      return;
    }
    forwardWatermark(watermark);
  }

  private void forwardWatermark(long watermark) {
    output.watermark(watermark);
    for (Output<Object> side : context.sideOutputs()) {
      side.watermark(watermark);
    }
  }

  /**
   * For an emitting loop: true when the task's output is full, in which case the operator must
   * stop emitting and return; it is resumed (see the class comment) once the output has room.
   * Called on the task's event loop, from {@link #onWatermark} only.
   */
  protected final boolean yieldIfOutputFull() {
    if (!context.outputFull()) {
      return false;
    }
    if (!yielded) {
      yielded = true;
      context.resumeWhenOutputHasRoom(this::resumeFiring);
    }
    return true;
  }

  private void resumeFiring() {
    yielded = false;
    long watermark = heldWatermark;
    onWatermark(watermark);
    if (yielded) {
      return; // full again: resumed again later
    }
    heldWatermark = NO_WATERMARK;
    if (watermark != NO_WATERMARK) {
      forwardWatermark(watermark);
    }
    if (endHeld) {
      endHeld = false;
      endOfInput();
    }
  }

  /** An input went idle (true) or active again (false); passes straight through a chain. */
  @Override
  public void idleness(boolean idle) {
    output.idleness(idle);
    for (Output<Object> side : context.sideOutputs()) {
      side.idleness(idle);
    }
  }

  /** Split changes pass through to the watermark generator further down the source's chain. */
  @Override
  public void split(String splitId, boolean finished) {
    output.split(splitId, finished);
  }

  /**
   * The end of input passes on likewise, after {@link #onEndOfInput}. An operator with work still
   * in flight may override this to pass the end on later (once, after the work), holding the
   * task's completion with {@link OperatorContext#awaitBeforeFinish} meanwhile.
   */
  @Override
  public void endOfInput() {
    if (yielded) {
      endHeld = true; // after the held watermark
      return;
    }
    onEndOfInput();
    output.endOfInput();
    for (Output<Object> side : context.sideOutputs()) {
      side.endOfInput();
    }
  }

  /**
   * Writes the operator's own state into a checkpoint, synchronously, on the event loop, when the
   * barrier passes (keyed state of the backend is taken by the task). Must be quick: copy or
   * serialize, and leave slow work to {@link OperatorSnapshot#await}.
   */
  public void snapshotState(OperatorSnapshot snapshot) throws Exception {
    if (userFunction() instanceof RichFunction f) {
      f.snapshotState(snapshot.checkpointId());
    }
  }

  /** Restores what {@link #snapshotState} wrote, before {@link #open}. */
  public void restoreState(OperatorRestore restore) throws Exception {}

  /** Checkpoint {@code checkpointId} is complete: everything up to its barrier is durable. */
  public void notifyCheckpointComplete(long checkpointId) throws Exception {}

  /** The side outputs that feed other tasks. */
  protected final java.util.List<Output<Object>> sideOutputs() {
    return context.sideOutputs();
  }

  /** Called when the operator's watermark advances; fires event-time work that became due. */
  protected void onWatermark(long watermark) {}

  /** Called once when all input has ended, after the final watermark. */
  protected void onEndOfInput() {}

  public void close() throws Exception {
    if (userFunction() instanceof RichFunction f) {
      f.close();
    }
  }

  /** Wraps an exception of user code with the operator's name and subtask. */
  protected final RuntimeException failure(Throwable e) {
    if (e instanceof OperatorException oe) {
      return oe;
    }
    return new OperatorException(
        "operator '" + context.operatorName() + "' (" + context.kind() + ", subtask "
            + (context.subtaskIndex() + 1) + "/" + context.parallelism() + ") failed: " + e,
        e);
  }
}
