package io.eddy.api.state;

/**
 * One accumulator per key, fed by {@link #add} through the descriptor's
 * {@link io.eddy.api.function.AggregateFunction}: the first {@code add} of a key creates the
 * accumulator, {@link #get} returns {@code getResult} of it. Only the accumulator is stored. Scoped
 * to the current key; valid only on the task's event-loop thread, inside processing calls.
 */
public interface AggregatingState<IN, OUT> {
  /** The aggregate of the current key, or {@code null} when nothing was added (or it was cleared). */
  OUT get();

  /**
   * Folds {@code value} into the current key's accumulator.
   *
   * @throws NullPointerException if {@code value} is null
   */
  void add(IN value);

  void clear();
}
