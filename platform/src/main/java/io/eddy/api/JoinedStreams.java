package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.KeySelector;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A window join: {@code left.join(right).where(keyA).equalTo(keyB).window(assigner).apply(fn)}
 * emits {@code fn(a, b)} for every pair of records with equal keys in the same window, when the
 * window fires. Both sides travel as one tagged stream into one keyed window, so they share its
 * watermark and lateness rules.
 */
public final class JoinedStreams<A, B> {
  private final DataStream<A> left;
  private final DataStream<B> right;

  JoinedStreams(DataStream<A> left, DataStream<B> right) {
    this.left = left;
    this.right = right;
  }

  public <K> Where<K> where(KeySelector<A, K> key) {
    return new Where<>(Objects.requireNonNull(key));
  }

  /** The left key is chosen. */
  public final class Where<K> {
    private final KeySelector<A, K> leftKey;

    Where(KeySelector<A, K> leftKey) {
      this.leftKey = leftKey;
    }

    public EqualTo equalTo(KeySelector<B, K> rightKey) {
      return new EqualTo(Objects.requireNonNull(rightKey));
    }

    /** Both keys are chosen. */
    public final class EqualTo {
      private final KeySelector<B, K> rightKey;

      EqualTo(KeySelector<B, K> rightKey) {
        this.rightKey = rightKey;
      }

      public <W extends Window> WithWindow<W> window(WindowAssigner<? super TwoInputElement, W> assigner) {
        return new WithWindow<>(Objects.requireNonNull(assigner));
      }

      /** The window is chosen; finish with {@link #apply}. */
      public final class WithWindow<W extends Window> {
        private final WindowAssigner<? super TwoInputElement, W> assigner;

        WithWindow(WindowAssigner<? super TwoInputElement, W> assigner) {
          this.assigner = assigner;
        }

        public <O> DataStream<O> apply(JoinFunction<A, B, O> function) {
          Objects.requireNonNull(function);
          io.eddy.graph.TypeExtraction.Extracted out =
              io.eddy.graph.TypeExtraction.typeArgument(function, JoinFunction.class, 2);
          return DataStream.typed(ConnectedStreams.tagged(left, right)
              .keyBy(ConnectedStreams.twoInputKey(leftKey, rightKey), ConnectedStreams.keyType(leftKey, rightKey))
              .window(assigner)
              .process(new ProcessWindowFunction<TwoInputElement, O, K, W>() {
                @Override
                @SuppressWarnings("unchecked")
                public void process(K key, Context<W> ctx, Iterable<TwoInputElement> elements, Collector<O> out)
                    throws Exception {
                  List<A> as = new ArrayList<>();
                  List<B> bs = new ArrayList<>();
                  for (TwoInputElement e : elements) {
                    if (e.first()) {
                      as.add((A) e.value());
                    } else {
                      bs.add((B) e.value());
                    }
                  }
                  for (A a : as) {
                    for (B b : bs) {
                      out.collect(function.join(a, b));
                    }
                  }
                }
              }), out);
        }
      }
    }
  }
}
