package io.eddy.state;

import io.eddy.api.state.AggregatingState;
import io.eddy.api.state.ReducingState;
import io.eddy.api.state.ValueState;

/**
 * Value, reducing and aggregating state hold one stored value per key; they differ only in what
 * they do with it. Each backend supplies the storage ({@link Cell}: read, write and remove the
 * current key's value, with its TTL rules) and gets these three states on top of it.
 */
final class SingleValueStates {
  private SingleValueStates() {}

  /** The current key's stored value in one state of a backend. */
  interface Cell {
    /** The value, or null when absent (or expired). */
    Object read();

    void write(Object value);

    void remove();
  }

  /** The user-facing state of {@code info}'s kind (value, reducing or aggregating) over {@code cell}. */
  static Object of(StateInfo info, Cell cell) {
    return switch (info.kind) {
      case VALUE -> new Value(cell);
      case REDUCING -> new Reducing(info, cell);
      case AGGREGATING -> new Aggregating(info, cell);
      default -> throw new IllegalArgumentException("not a single-value state: " + info.kind);
    };
  }

  private record Value(Cell cell) implements ValueState<Object> {
    @Override
    public Object value() {
      return cell.read();
    }

    @Override
    public void update(Object value) {
      if (value == null) {
        cell.remove();
      } else {
        cell.write(value);
      }
    }

    @Override
    public void clear() {
      cell.remove();
    }
  }

  private record Reducing(StateInfo info, Cell cell) implements ReducingState<Object> {
    @Override
    public Object get() {
      return cell.read();
    }

    @Override
    public void add(Object value) {
      if (value == null) {
        throw new NullPointerException("state '" + info.name + "': cannot add null to a reducing state");
      }
      Object current = cell.read();
      Object result = current == null ? value : StateFunctions.reduce(info, current, value);
      if (result == null) {
        cell.remove();
      } else {
        cell.write(result);
      }
    }

    @Override
    public void clear() {
      cell.remove();
    }
  }

  private record Aggregating(StateInfo info, Cell cell) implements AggregatingState<Object, Object> {
    @Override
    public Object get() {
      Object acc = cell.read();
      return acc == null ? null : info.aggregateFunction.getResult(acc);
    }

    @Override
    public void add(Object value) {
      if (value == null) {
        throw new NullPointerException("state '" + info.name + "': cannot add null to an aggregating state");
      }
      Object acc = cell.read();
      if (acc == null) {
        acc = info.aggregateFunction.createAccumulator();
      }
      cell.write(info.aggregateFunction.add(value, acc));
    }

    @Override
    public void clear() {
      cell.remove();
    }
  }
}
