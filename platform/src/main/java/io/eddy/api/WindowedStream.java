package io.eddy.api;

import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.ReduceFunction;
import io.eddy.graph.Specs;
import io.eddy.graph.TypeExtraction;
import io.eddy.graph.TypeExtraction.Extracted;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.Trigger;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A keyed stream grouped into windows. Configure the trigger, the allowed lateness and where late
 * records go, then finish with {@code aggregate}, {@code reduce} or {@code process}. Incremental
 * functions ({@code aggregate}, {@code reduce}) keep one accumulator per key and window, updated in
 * place; {@code process} keeps every record until the window fires.
 *
 * <p>Lateness: in event time a record is late when its window's last millisecond
 * ({@code end - 1}) is at or below the watermark. Within {@link #allowedLateness} it updates the window, which fires again with the
 * new result; beyond it, it goes to the {@link #sideOutputLateData} tag, or is counted in the
 * metric {@code lateRecordsDropped} when there is none.
 */
public final class WindowedStream<K, T, W extends Window> {
  private final KeyedStream<K, T> input;
  private final WindowAssigner<? super T, W> assigner;
  private Trigger<? super T, W> trigger;
  private long allowedLateness;
  private OutputTag<T> lateTag;

  WindowedStream(KeyedStream<K, T> input, WindowAssigner<? super T, W> assigner) {
    this.input = input;
    this.assigner = assigner;
  }

  public WindowedStream<K, T, W> trigger(Trigger<? super T, W> trigger) {
    this.trigger = Objects.requireNonNull(trigger);
    return this;
  }

  public WindowedStream<K, T, W> allowedLateness(Duration lateness) {
    this.allowedLateness = lateness.toMillis();
    return this;
  }

  public WindowedStream<K, T, W> sideOutputLateData(OutputTag<T> tag) {
    this.lateTag = Objects.requireNonNull(tag);
    return this;
  }

  public <ACC, R> DataStream<R> aggregate(AggregateFunction<T, ACC, R> function) {
    return build(function, null, false, TypeExtraction.typeArgument(function, AggregateFunction.class, 2));
  }

  public <ACC, V, R> DataStream<R> aggregate(
      AggregateFunction<T, ACC, V> function, ProcessWindowFunction<V, R, K, W> windowFunction) {
    return build(function, Objects.requireNonNull(windowFunction), false, windowOutput(windowFunction));
  }

  public DataStream<T> reduce(ReduceFunction<T> function) {
    DataStream<T> out = build(new ReduceAggregate<>(function), null, false, input.inputType());
    out.transform.outputTypeOf(input.input().transform, input.input().sideTag); // as it is when planning
    return out;
  }

  public <R> DataStream<R> reduce(ReduceFunction<T> function, ProcessWindowFunction<T, R, K, W> windowFunction) {
    return build(new ReduceAggregate<>(function), Objects.requireNonNull(windowFunction), false,
        windowOutput(windowFunction));
  }

  /** Keeps every record of a window and hands them all to {@code function} when it fires. */
  public <R> DataStream<R> process(ProcessWindowFunction<T, R, K, W> function) {
    return build(new CollectAll<>(), Objects.requireNonNull(function), true, windowOutput(function));
  }

  private static Extracted windowOutput(ProcessWindowFunction<?, ?, ?, ?> function) {
    return TypeExtraction.typeArgument(function, ProcessWindowFunction.class, 1);
  }

  private <R> DataStream<R> build(
      AggregateFunction<T, ?, ?> agg, ProcessWindowFunction<?, R, K, W> fn, boolean elements, Extracted out) {
    DataStream<R> result = input.keyed(new Specs.WindowSpec(input.keySelector(), assigner, trigger, allowedLateness,
        lateTag == null ? null : lateTag.id(), agg, fn, elements), out);
    KeyedStream.accumulatorType(result.transform, agg);
    // windows are namespaces of the window state and its timers
    Extracted window = TypeExtraction.typeArgument(assigner, WindowAssigner.class, 1);
    if (window.known()) {
      result.transform.addStateType(window.type());
    } else { // a custom assigner with a type variable: the built-in windows
      result.transform.addStateType(io.eddy.time.TimeWindow.class);
      result.transform.addStateType(io.eddy.time.GlobalWindow.class);
    }
    if (lateTag != null) {
      java.lang.reflect.Type late = lateTag.type() != null ? lateTag.type() : input.inputType().type();
      if (late != null) {
        result.transform.sideType(lateTag.id(), late);
      }
    }
    return result;
  }

  /** Keeps all records: the contents of a {@code process} window. */
  static final class CollectAll<T> implements AggregateFunction<T, List<T>, List<T>> {
    @Override
    public List<T> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<T> add(T value, List<T> acc) {
      acc.add(value);
      return acc;
    }

    @Override
    public List<T> getResult(List<T> acc) {
      return acc;
    }

    @Override
    public List<T> merge(List<T> a, List<T> b) {
      a.addAll(b);
      return a;
    }
  }
}
