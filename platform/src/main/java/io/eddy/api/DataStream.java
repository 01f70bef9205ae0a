package io.eddy.api;

import io.eddy.api.function.AsyncFunction;
import io.eddy.api.function.FilterFunction;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.MapFunction;
import io.eddy.connector.Sink;
import io.eddy.graph.Partitioning;
import io.eddy.graph.TypeExtraction;
import io.eddy.graph.TypeExtraction.Extracted;
import io.eddy.graph.Specs;
import io.eddy.graph.StreamEdge;
import io.eddy.graph.Transform;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import io.eddy.time.Window;
import io.eddy.time.WindowAssigner;
import io.eddy.time.WatermarkStrategy;

/**
 * A stream of records of type {@code T}: the output of one operator, together with how the next
 * operator will receive it. Operators connected by the default (forward) partitioning at equal
 * parallelism are chained into one task, so a chain of maps and filters costs plain method calls.
 *
 * <p>{@link #name} and {@link #parallelism} configure the operator that produces this stream; {@link #returns}
 * declares its record type where it cannot be extracted from the function (see {@link TypeExtraction}).
 */
public class DataStream<T> {
  final Pipeline pipeline;
  final Transform transform;
  final Partitioning partitioning;
  final String sideTag;

  DataStream(Pipeline pipeline, Transform transform) {
    this(pipeline, transform, Partitioning.FORWARD, null);
  }

  DataStream(Pipeline pipeline, Transform transform, Partitioning partitioning, String sideTag) {
    this.pipeline = pipeline;
    this.transform = transform;
    this.partitioning = partitioning;
    this.sideTag = sideTag;
  }

  /** The records the producing operator emitted into the side output {@code tag}. */
  public <X> DataStream<X> sideOutput(OutputTag<X> tag) {
    if (tag.type() != null) {
      transform.sideType(tag.id(), tag.type());
    }
    return new DataStream<>(pipeline, transform, Partitioning.FORWARD, tag.id());
  }

  /**
   * Declares the class of this stream's records, overriding what was extracted from the function, as Flink's
   * {@code returns}: needed where extraction cannot see it, e.g. a {@code flatMap} lambda (its
   * {@code Collector<R>} is erased) or a generic function class. The plan refuses an edge whose type is unknown
   * and says so; the receiving side accepts only the classes the plan's types name.
   */
  public DataStream<T> returns(Class<? super T> type) {
    Objects.requireNonNull(type, "type");
    if (sideTag == null) {
      transform.outputType(type);
    } else {
      transform.sideType(sideTag, type);
    }
    return this;
  }

  /** The record type of this stream as declared or extracted so far, or null if unknown. */
  public java.lang.reflect.Type type() {
    return sideTag == null ? transform.outputType() : transform.sideType(sideTag);
  }

  /** This stream's type as it is now (for a key type's input, a late-data tag). */
  Extracted sameType() {
    java.lang.reflect.Type t = type();
    return t != null ? Extracted.of(t)
        : Extracted.unknown("its input's type is unknown (declare it with .returns(...) on operator '"
            + transform.name() + "')");
  }

  /** {@code stream}'s operator keeps the type of this stream (read when planning). */
  <R> DataStream<R> sameTypeFor(DataStream<R> stream) {
    stream.transform.outputTypeOf(transform, sideTag);
    return stream;
  }

  /**
   * Gives records their event time and derives watermarks, per subtask of the producing operator
   * (chained to it). Downstream operators see the minimum watermark over their inputs.
   */
  public DataStream<T> assignTimestampsAndWatermarks(WatermarkStrategy<T> strategy) {
    return sameTypeFor(new DataStream<>(pipeline,
        pipeline.add(new Specs.WatermarkSpec(Objects.requireNonNull(strategy)), List.of(edge()))));
  }

  /** Windows over the whole stream, evaluated by one subtask (parallelism 1). */
  public <W extends Window> AllWindowedStream<T, W> windowAll(WindowAssigner<? super T, W> assigner) {
    return new AllWindowedStream<>(keyBy(r -> 0, Extracted.of(Integer.class)).window(assigner));
  }

  public <R> DataStream<R> map(MapFunction<T, R> function) {
    return next(new Specs.MapSpec(Objects.requireNonNull(function)),
        TypeExtraction.typeArgument(function, MapFunction.class, 1));
  }

  public DataStream<T> filter(FilterFunction<T> function) {
    return sameTypeFor(new DataStream<>(pipeline,
        pipeline.add(new Specs.FilterSpec(Objects.requireNonNull(function)), List.of(edge()))));
  }

  public <R> DataStream<R> flatMap(FlatMapFunction<T, R> function) {
    return next(new Specs.FlatMapSpec(Objects.requireNonNull(function)),
        TypeExtraction.typeArgument(function, FlatMapFunction.class, 1));
  }

  /**
   * Enriches each record with an asynchronous request ({@link AsyncFunction}): the function runs on
   * the task's event loop and returns a Vert.x {@code Future}; its value is emitted with the
   * record's timestamp (a {@code null} value emits nothing).
   *
   * <ul>
   *   <li>{@code order}: {@link AsyncOrder#ORDERED} emits in input order; {@link AsyncOrder#UNORDERED}
   *       as requests complete, but never across a watermark.
   *   <li>{@code capacity}: the most requests in flight per subtask; when they are all taken the
   *       task stops taking input until one completes, so back-pressure reaches the sources.
   *   <li>{@code timeout}: a request not complete by then follows the job's bad-record policy
   *       ({@code fail}: the job fails naming the record; {@code skip}: counted in
   *       {@code <operator>.badRecords}; {@code deadLetter}: counted and sent to
   *       {@link OutputTag#BAD_RECORDS}).
   * </ul>
   *
   * <p>Requests in flight at a checkpoint barrier are part of the checkpoint (the input records,
   * written with the job's serdes) and are issued again after a restore, so every result is
   * emitted exactly once. The end of input waits for every request in flight. The operator always
   * starts a new task chain (it is never chained to its input).
   */
  public <R> DataStream<R> asyncMap(
      AsyncFunction<T, R> function, AsyncOrder order, int capacity, java.time.Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return next(new Specs.AsyncMapSpec(Objects.requireNonNull(function, "function"),
        Objects.requireNonNull(order, "order") == AsyncOrder.ORDERED, capacity, timeout.toMillis()),
        TypeExtraction.typeArgument(function, AsyncFunction.class, 1));
  }

  /** Partitions by key: every record with an equal key goes to the same subtask, in order. */
  public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> key) {
    return keyBy(key, TypeExtraction.typeArgument(Objects.requireNonNull(key), KeySelector.class, 1));
  }

  /** Partitions by a key whose type the caller knows. */
  <K> KeyedStream<K, T> keyBy(KeySelector<T, K> key, Extracted keyType) {
    return new KeyedStream<>(pipeline, transform, sideTag, Objects.requireNonNull(key), keyType, sameType());
  }

  /** Spreads records round robin over the next operator's subtasks. */
  public DataStream<T> rebalance() {
    return new DataStream<>(pipeline, transform, Partitioning.REBALANCE, sideTag);
  }

  /** Sends every record to every subtask of the next operator. */
  public DataStream<T> broadcast() {
    return new DataStream<>(pipeline, transform, Partitioning.BROADCAST, sideTag);
  }

  /** Merges streams of the same type; each keeps its own partitioning into the union. */
  @SafeVarargs
  public final DataStream<T> union(DataStream<T>... others) {
    List<StreamEdge> inputs = new ArrayList<>();
    inputs.add(edge());
    for (DataStream<T> o : others) {
      if (o.pipeline != pipeline) {
        throw new IllegalArgumentException("cannot union streams of different pipelines");
      }
      inputs.add(o.edge());
    }
    return sameTypeFor(new DataStream<>(pipeline, pipeline.add(new Specs.UnionSpec(), inputs)));
  }

  /** Processes each record with its timestamp, the watermark and side outputs. */
  public <R> DataStream<R> process(ProcessFunction<T, R> function) {
    return next(new Specs.ProcessSpec(Objects.requireNonNull(function)),
        TypeExtraction.typeArgument(function, ProcessFunction.class, 1));
  }

  /** Connects with another stream for a {@link CoProcessFunction} (or, keyed, a {@link KeyedCoProcessFunction}). */
  public <B> ConnectedStreams<T, B> connect(DataStream<B> other) {
    return new ConnectedStreams<>(this, other);
  }

  /** Connects with a broadcast stream for a {@link BroadcastProcessFunction}. */
  public <B> BroadcastConnectedStream<T, B> connect(BroadcastStream<B> other) {
    return new BroadcastConnectedStream<>(this, other);
  }

  /** Makes this stream a broadcast stream, to connect to another one. */
  public BroadcastStream<T> broadcastStream() {
    return new BroadcastStream<>(this);
  }

  /** Starts a window join with another stream; see {@link JoinedStreams}. */
  public <B> JoinedStreams<T, B> join(DataStream<B> other) {
    return new JoinedStreams<>(this, other);
  }

  /** Ends the stream in a sink connector. */
  public DataStreamSink<T> sink(Sink<T> sink) {
    Transform t = pipeline.add(new Specs.SinkSpec(Objects.requireNonNull(sink)), List.of(edge()));
    return new DataStreamSink<>(t);
  }

  /** Names the operator that produces this stream (shown in metrics, errors and the dashboard). */
  public DataStream<T> name(String name) {
    transform.name(name);
    return this;
  }

  /** Sets the parallelism of the operator that produces this stream. */
  public DataStream<T> parallelism(int parallelism) {
    transform.parallelism(parallelism);
    return this;
  }

  /** The graph node that produces this stream. */
  public Transform transform() {
    return transform;
  }

  StreamEdge edge() {
    return new StreamEdge(transform, partitioning, null, sideTag);
  }

  <R> DataStream<R> next(io.eddy.graph.OperatorSpec spec, Extracted type) {
    return typed(new DataStream<>(pipeline, pipeline.add(spec, List.of(edge()))), type);
  }

  /** Records the extracted output type of {@code stream}'s operator (or why there is none). */
  static <R> DataStream<R> typed(DataStream<R> stream, Extracted type) {
    if (type.known()) {
      stream.transform.outputType(type.type());
    } else {
      stream.transform.unknownType(type.why());
    }
    return stream;
  }
}
