package io.eddy.runtime.operators;

import io.eddy.graph.Specs;
import io.eddy.runtime.StreamOperator;
import io.eddy.time.SlidingWindows;
import io.eddy.time.TumblingWindows;

/** Picks the window operator for a window spec. */
public final class WindowOperators {
  private WindowOperators() {}

  /**
   * Event-time tumbling and sliding windows with the default trigger take the aligned operator:
   * one timer per window instead of one per key and window, accumulators updated in place. All
   * other windows (sessions, custom triggers, processing time, global) take the general one.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static StreamOperator create(Specs.WindowSpec spec) {
    boolean defaultTrigger = spec.trigger() == null;
    if (defaultTrigger && spec.assigner() instanceof TumblingWindows t && t.isEventTime()) {
      return new AlignedWindowOperator(spec, t.size(), t.size(), t.offset());
    }
    if (defaultTrigger && spec.assigner() instanceof SlidingWindows s && s.isEventTime()) {
      return new AlignedWindowOperator(spec, s.size(), s.slide(), s.offset());
    }
    return new GeneralWindowOperator(spec);
  }
}
