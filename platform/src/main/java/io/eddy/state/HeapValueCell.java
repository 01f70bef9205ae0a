package io.eddy.state;

/** The stored value of value, reducing and aggregating state. */
final class HeapValueCell extends HeapState implements SingleValueStates.Cell {
  HeapValueCell(HeapKeyedStateBackend backend, StateInfo info) {
    super(backend, info);
  }

  @Override
  public Object read() {
    return readValue();
  }

  @Override
  public void write(Object value) {
    writeValue(value);
  }

  @Override
  public void remove() {
    removeStored();
  }
}
