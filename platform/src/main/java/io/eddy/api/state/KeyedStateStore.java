package io.eddy.api.state;

/**
 * Hands out keyed state of one operator. Call it from {@code open} (or lazily while processing) on
 * the task's event-loop thread and keep the returned handle: the handle follows the current key
 * (the key of the record or timer being processed), so one handle serves all keys. Asking twice for
 * the same name returns the same state; asking for a name already used by another kind of state
 * fails with {@link IllegalStateException}. When the operator was restored from a checkpoint, the
 * first request for a state checks that its serdes (and TTL) match what the checkpoint recorded and
 * fails with {@link IllegalStateException} naming the operator and the state if they do not.
 */
public interface KeyedStateStore {
  <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor);

  <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

  <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor);

  <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor);

  <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
      AggregatingStateDescriptor<IN, ACC, OUT> descriptor);
}
