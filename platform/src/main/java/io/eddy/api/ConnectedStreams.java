package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.graph.TypeExtraction;
import io.eddy.graph.TypeExtraction.Extracted;
import java.util.Objects;

/**
 * Two streams of possibly different types processed together by a {@link CoProcessFunction}
 * (or, keyed, a {@link KeyedCoProcessFunction}). They travel as one stream of
 * {@link TwoInputElement}s, so the function sees the minimum watermark of both.
 */
public final class ConnectedStreams<A, B> {
  private final DataStream<A> first;
  private final DataStream<B> second;

  ConnectedStreams(DataStream<A> first, DataStream<B> second) {
    this.first = first;
    this.second = second;
  }

  /** The two sides tagged and merged into one stream. */
  static <A, B> DataStream<TwoInputElement> tagged(DataStream<A> first, DataStream<B> second) {
    // the tagged elements carry the values of both sides: TwoInputElement's Object value is either type
    DataStream<TwoInputElement> a = first.map(v -> new TwoInputElement(true, v)).returns(TwoInputElement.class)
        .name(first.transform().name() + "-tag1");
    DataStream<TwoInputElement> b = second.map(v -> new TwoInputElement(false, v)).returns(TwoInputElement.class)
        .name(second.transform().name() + "-tag2");
    return a.union(b);
  }

  public <O> DataStream<O> process(CoProcessFunction<A, B, O> function) {
    Objects.requireNonNull(function);
    Extracted out = TypeExtraction.typeArgument(function, CoProcessFunction.class, 2);
    return DataStream.typed(tagged(first, second).process(new ProcessFunction<TwoInputElement, O>() {
      @Override
      public void open(RuntimeContext context) throws Exception {
        function.open(context);
      }

      @Override
      public void close() throws Exception {
        function.close();
      }

      @Override
      public void snapshotState(long checkpointId) throws Exception {
        function.snapshotState(checkpointId);
      }

      @Override
      @SuppressWarnings("unchecked")
      public void processElement(TwoInputElement e, Context ctx, Collector<O> out) throws Exception {
        if (e.first()) {
          function.processElement1((A) e.value(), ctx, out);
        } else {
          function.processElement2((B) e.value(), ctx, out);
        }
      }
    }), out);
  }

  /** Partitions both sides by key, so equal keys of both meet with shared keyed state and timers. */
  public <K> KeyedConnectedStreams<K> keyBy(KeySelector<A, K> key1, KeySelector<B, K> key2) {
    return new KeyedConnectedStreams<>(key1, key2);
  }

  /** Connected streams partitioned by key. */
  public final class KeyedConnectedStreams<K> {
    private final KeySelector<A, K> key1;
    private final KeySelector<B, K> key2;

    KeyedConnectedStreams(KeySelector<A, K> key1, KeySelector<B, K> key2) {
      this.key1 = Objects.requireNonNull(key1);
      this.key2 = Objects.requireNonNull(key2);
    }

    public <O> DataStream<O> process(KeyedCoProcessFunction<K, A, B, O> function) {
      Objects.requireNonNull(function);
      Extracted out = TypeExtraction.typeArgument(function, KeyedCoProcessFunction.class, 3);
      return DataStream.typed(tagged(first, second)
          .keyBy(twoInputKey(key1, key2), keyType(key1, key2))
          .process(new KeyedProcessFunction<K, TwoInputElement, O>() {
            @Override
            public void open(RuntimeContext context) throws Exception {
              function.open(context);
            }

            @Override
            public void close() throws Exception {
              function.close();
            }

            @Override
            public void snapshotState(long checkpointId) throws Exception {
              function.snapshotState(checkpointId);
            }

            @Override
            @SuppressWarnings("unchecked")
            public void processElement(TwoInputElement e, Context<K> ctx, Collector<O> out) throws Exception {
              if (e.first()) {
                function.processElement1((A) e.value(), ctx, out);
              } else {
                function.processElement2((B) e.value(), ctx, out);
              }
            }

            @Override
            public void onTimer(long timestamp, Context<K> ctx, Collector<O> out) throws Exception {
              function.onTimer(timestamp, ctx, out);
            }
          }), out);
    }
  }

  /** The key type of two key selectors of one key type: the first one's, else the second one's. */
  static Extracted keyType(KeySelector<?, ?> key1, KeySelector<?, ?> key2) {
    Extracted k = TypeExtraction.typeArgument(key1, KeySelector.class, 1);
    return k.known() ? k : TypeExtraction.typeArgument(key2, KeySelector.class, 1);
  }

  /** The key of a tagged element, by the key selector of its side. */
  @SuppressWarnings("unchecked")
  static <A, B, K> KeySelector<TwoInputElement, K> twoInputKey(KeySelector<A, K> key1, KeySelector<B, K> key2) {
    return e -> e.first() ? key1.getKey((A) e.value()) : key2.getKey((B) e.value());
  }
}
