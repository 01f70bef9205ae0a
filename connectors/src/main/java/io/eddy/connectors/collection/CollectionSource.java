package io.eddy.connectors.collection;

import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A bounded source over an in-memory list, for tests and examples. With parallelism {@code p},
 * subtask {@code j} emits the elements at positions {@code i % p == j}, in list order. The list is
 * shared read-only by all subtasks of the JVM. It produces the class its elements share; for elements of
 * several classes (or none) declare the type with {@code .returns(...)} on its stream.
 */
public final class CollectionSource<T> implements Source<T> {
  private final List<T> elements;
  private final ToLongFunction<T> timestamps;

  private CollectionSource(List<T> elements, ToLongFunction<T> timestamps) {
    this.elements = List.copyOf(elements);
    this.timestamps = timestamps;
  }

  public static <T> CollectionSource<T> of(List<T> elements) {
    return new CollectionSource<>(elements, null);
  }

  /** Emits each element with the timestamp the function gives it. */
  public static <T> CollectionSource<T> withTimestamps(List<T> elements, ToLongFunction<T> timestamps) {
    return new CollectionSource<>(elements, Objects.requireNonNull(timestamps));
  }

  /** The positions {@code index, index + stride, ...}. */
  public record Split(int index, int stride) implements SourceSplit {
    public String id() {
      return "collection-" + index + "-of-" + stride;
    }
  }

  /** The class all elements share, or null if they are of several classes (or there are none). */
  @Override
  public java.lang.reflect.Type producedType() {
    Class<?> common = null;
    for (T e : elements) {
      Class<?> c = e == null ? null : e instanceof Enum<?> en ? en.getDeclaringClass() : e.getClass();
      if (c == null || (common != null && common != c)) {
        return null;
      }
      common = c;
    }
    return common;
  }

  @Override
  public List<Split> createSplits(int parallelism) {
    List<Split> splits = new ArrayList<>();
    for (int j = 0; j < parallelism; j++) {
      splits.add(new Split(j, parallelism));
    }
    return splits;
  }

  @Override
  public SourceReader<T> createReader(SourceReaderContext context) {
    return new SourceReader<>() {
      private final List<Split> splits = new ArrayList<>();
      private int current;
      private int next = -1;

      @Override
      public void addSplits(List<SourceSplit> assigned) {
        assigned.forEach(s -> splits.add((Split) s));
      }

      @Override
      public void addSplits(List<SourceSplit> assigned, java.util.Map<String, String> positions) {
        addSplits(assigned);
        while (current < splits.size() && "done".equals(positions.get(splits.get(current).id()))) {
          current++;
        }
        if (current < splits.size()) {
          String p = positions.get(splits.get(current).id());
          next = p == null ? -1 : Integer.parseInt(p);
        }
      }

      @Override
      public java.util.Map<String, String> snapshotPositions() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < splits.size(); i++) {
          if (i < current) {
            m.put(splits.get(i).id(), "done");
          } else if (i == current && next >= 0) {
            m.put(splits.get(i).id(), Integer.toString(next));
          }
        }
        return m;
      }

      @Override
      public InputStatus pollNext(SourceOutput<T> output, int maxRecords) {
        int budget = maxRecords;
        while (current < splits.size()) {
          Split s = splits.get(current);
          if (next < 0) {
            next = s.index();
          }
          while (budget > 0 && next < elements.size()) {
            T e = elements.get(next);
            if (timestamps == null) {
              output.collect(e);
            } else {
              output.collect(e, timestamps.applyAsLong(e));
            }
            next += s.stride();
            budget--;
          }
          if (next < elements.size()) {
            return InputStatus.MORE_AVAILABLE;
          }
          current++;
          next = -1;
        }
        return InputStatus.END_OF_INPUT;
      }
    };
  }
}
