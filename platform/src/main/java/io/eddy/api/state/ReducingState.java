package io.eddy.api.state;

/**
 * One value per key that folds every added value into the current one with the descriptor's
 * {@link io.eddy.api.function.ReduceFunction}. Scoped to the current key; valid only on the task's
 * event-loop thread, inside processing calls.
 */
public interface ReducingState<T> {
  /** The reduced value of the current key, or {@code null} when nothing was added (or it was cleared). */
  T get();

  /**
   * Folds {@code value} into the current key's value (the first value is stored as it is). A reduce
   * function returning {@code null} clears the state.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws RuntimeException wrapping what the reduce function threw
   */
  void add(T value);

  void clear();
}
