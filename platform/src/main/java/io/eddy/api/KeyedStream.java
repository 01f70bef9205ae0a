package io.eddy.api;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.ReduceFunction;
import io.eddy.graph.OperatorSpec;
import io.eddy.graph.Partitioning;
import io.eddy.graph.Specs;
import io.eddy.graph.StreamEdge;
import io.eddy.graph.Transform;
import io.eddy.graph.TypeExtraction;
import io.eddy.graph.TypeExtraction.Extracted;
import java.util.List;
import java.util.Objects;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;

/**
 * A stream partitioned by key. Operators applied to it see one key at a time and may keep keyed
 * state; records with equal keys reach the same subtask in the order they were sent.
 */
public final class KeyedStream<K, T> {
  private final Pipeline pipeline;
  private final Transform upstream;
  private final String sideTag;
  private final KeySelector<T, K> key;
  private final Extracted keyType;
  private final Extracted inputType;

  KeyedStream(Pipeline pipeline, Transform upstream, String sideTag, KeySelector<T, K> key, Extracted keyType,
      Extracted inputType) {
    this.pipeline = pipeline;
    this.upstream = upstream;
    this.sideTag = sideTag;
    this.key = key;
    this.keyType = keyType;
    this.inputType = inputType;
  }

  /** Groups each key's records into windows; see {@link WindowedStream}. */
  public <W extends Window> WindowedStream<K, T, W> window(WindowAssigner<? super T, W> assigner) {
    return new WindowedStream<>(this, Objects.requireNonNull(assigner));
  }

  /** Rolling reduce: emits the updated value of the key after every record. */
  public DataStream<T> reduce(ReduceFunction<T> function) {
    DataStream<T> out = keyed(new Specs.KeyedAggregateSpec(key, new ReduceAggregate<>(function)), inputType);
    out.transform.outputTypeOf(upstream, sideTag); // the input's type, as it is when planning
    return out;
  }

  /** Rolling aggregation: emits the key's updated result after every record. */
  public <ACC, R> DataStream<R> aggregate(AggregateFunction<T, ACC, R> function) {
    DataStream<R> out = keyed(new Specs.KeyedAggregateSpec(key, Objects.requireNonNull(function)),
        TypeExtraction.typeArgument(function, AggregateFunction.class, 2));
    accumulatorType(out.transform, function);
    return out;
  }

  /** Processes each record with keyed state and timers. */
  public <R> DataStream<R> process(KeyedProcessFunction<K, T, R> function) {
    return keyed(new Specs.KeyedProcessSpec(key, Objects.requireNonNull(function)),
        TypeExtraction.typeArgument(function, KeyedProcessFunction.class, 2));
  }

  /** Joins with another keyed stream on time; see {@link IntervalJoin}. */
  public <B> IntervalJoin<K, T, B> intervalJoin(KeyedStream<K, B> other) {
    return new IntervalJoin<>(this, other);
  }

  /** The stream before keying (the records keep flowing to the next operator by key). */
  DataStream<T> input() {
    return new DataStream<>(pipeline, upstream, io.eddy.graph.Partitioning.FORWARD, sideTag);
  }

  public KeySelector<T, K> keySelector() {
    return key;
  }

  /** The key type as extracted from the key selector (or why it is unknown). */
  Extracted keyType() {
    return keyType;
  }

  /** The type of the records being keyed. */
  Extracted inputType() {
    return inputType;
  }

  <R> DataStream<R> keyed(OperatorSpec spec, Extracted outputType) {
    if (!keyType.known()) {
      throw new io.eddy.graph.InvalidTypesException("keyBy before operator " + spec.kind() + ": the key type cannot"
          + " be determined: " + keyType.why() + "; use a method reference or a KeySelector class");
    }
    StreamEdge edge = new StreamEdge(upstream, Partitioning.HASH, key, sideTag, keyType.type());
    return DataStream.typed(new DataStream<>(pipeline, pipeline.add(spec, List.of(edge))), outputType);
  }

  /** An aggregation keeps its accumulator in state: its type is one the job carries (if it shows). */
  static void accumulatorType(Transform t, AggregateFunction<?, ?, ?> function) {
    Extracted acc = TypeExtraction.typeArgument(function, AggregateFunction.class, 1);
    if (acc.known()) {
      t.addStateType(acc.type());
    }
  }
}
