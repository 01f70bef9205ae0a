package io.eddy.api;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.ReduceFunction;
import java.util.Objects;

/** A reduce as an aggregation whose accumulator holds the reduced value. */
final class ReduceAggregate<T> implements AggregateFunction<T, Object[], T>, io.eddy.api.function.RichFunction {
  private final ReduceFunction<T> reduce;

  ReduceAggregate(ReduceFunction<T> reduce) {
    this.reduce = Objects.requireNonNull(reduce);
  }

  @Override
  public void open(io.eddy.api.function.RuntimeContext context) throws Exception {
    if (reduce instanceof io.eddy.api.function.RichFunction r) {
      r.open(context);
    }
  }

  @Override
  public void close() throws Exception {
    if (reduce instanceof io.eddy.api.function.RichFunction r) {
      r.close();
    }
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    if (reduce instanceof io.eddy.api.function.RichFunction r) {
      r.snapshotState(checkpointId);
    }
  }

  @Override
  public Object[] createAccumulator() {
    return new Object[1];
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object[] add(T value, Object[] acc) {
    try {
      acc[0] = acc[0] == null ? value : reduce.reduce((T) acc[0], value);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return acc;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T getResult(Object[] acc) {
    return (T) acc[0];
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object[] merge(Object[] a, Object[] b) {
    if (a[0] == null) {
      return b;
    }
    if (b[0] != null) {
      add((T) b[0], a);
    }
    return a;
  }
}
