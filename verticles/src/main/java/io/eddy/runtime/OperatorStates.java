package io.eddy.runtime;

import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.OperatorStateStore;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operator state a user function keeps through {@link OperatorStateStore}: named lists,
 * written into a checkpoint as operator-state entries (one per element, split or union on
 * restore) under the name {@code user.<state>}. Confined to the task's event-loop thread.
 */
final class OperatorStates implements OperatorStateStore {
  private static final String PREFIX = "user.";
  private final SerdeRegistry serdes;
  private final Map<String, Held<?>> states = new LinkedHashMap<>();
  private Map<String, List<byte[]>> restored = Map.of();

  /** One list state with how its elements are written and redistributed. */
  private static final class Held<T> implements ListState<T> {
    final Serde<T> serde;
    final boolean union;
    final List<T> elements = new ArrayList<>();

    Held(Serde<T> serde, boolean union) {
      this.serde = serde;
      this.union = union;
    }

    @Override
    public Iterable<T> get() {
      return new ArrayList<>(elements);
    }

    @Override
    public void add(T value) {
      elements.add(Objects.requireNonNull(value, "operator state elements must not be null"));
    }

    @Override
    public void addAll(List<T> values) {
      if (values != null) {
        values.forEach(Objects::requireNonNull);
        elements.addAll(values);
      }
    }

    @Override
    public void update(List<T> values) {
      elements.clear();
      addAll(values);
    }

    @Override
    public void clear() {
      elements.clear();
    }
  }

  OperatorStates(SerdeRegistry serdes) {
    this.serdes = serdes;
  }

  @Override
  public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
    return get(descriptor, false);
  }

  @Override
  public <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) {
    return get(descriptor, true);
  }

  @SuppressWarnings("unchecked")
  private <T> ListState<T> get(ListStateDescriptor<T> d, boolean union) {
    Held<?> held = states.get(d.name());
    if (held != null) {
      if (held.union != union) {
        throw new IllegalStateException("operator state '" + d.name() + "' was asked for as "
            + (held.union ? "union" : "split") + " list state before");
      }
      return (ListState<T>) held;
    }
    if (d.type() != null) {
      serdes.allow(d.type()); // declared before its restored elements are read, so they may name its types
    }
    Serde<T> serde = d.serde() != null ? d.serde() : serdes.forClass(d.type() != null ? d.type() : (Class<T>) Object.class);
    Held<T> h = new Held<>(serde, union);
    for (byte[] b : restored.getOrDefault(PREFIX + d.name(), List.of())) {
      h.elements.add(serde.read(new DataReader(b)));
    }
    states.put(d.name(), h);
    return h;
  }

  /** Hands over what a checkpoint recorded, before the function opens. */
  void restore(OperatorRestore restore) {
    Map<String, List<byte[]>> r = new LinkedHashMap<>();
    // names are only known once asked for: keep every user entry list of the restore
    restore.operatorStateNames().stream().filter(n -> n.startsWith(PREFIX))
        .forEach(n -> r.put(n, restore.operatorState(n)));
    restored = r;
  }

  /** Writes every list into the checkpoint. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void snapshotInto(OperatorSnapshot snapshot) {
    states.forEach((name, held) -> {
      List<byte[]> entries = new ArrayList<>();
      for (Object e : held.elements) {
        DataWriter out = new DataWriter(64);
        ((Serde) held.serde).write(e, out);
        entries.add(out.toByteArray());
      }
      snapshot.operatorState(PREFIX + name, entries, held.union);
    });
  }
}
