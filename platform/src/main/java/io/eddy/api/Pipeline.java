package io.eddy.api;

import io.eddy.connector.Source;
import io.eddy.graph.JobGraph;
import io.eddy.graph.OperatorSpec;
import io.eddy.graph.Specs;
import io.eddy.graph.StreamEdge;
import io.eddy.graph.Transform;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import java.util.List;

/**
 * The entry point of the fluent API: a {@link StreamJob} starts its dataflow here with
 * {@link #source} and continues on the returned {@link DataStream}. A pipeline only records the
 * graph; nothing runs until the job is submitted. Not thread-safe; used by one {@code build} call.
 */
public final class Pipeline {
  private final JobGraph graph = new JobGraph();
  private final SerdeRegistry serdes;

  public Pipeline() {
    this(SerdeRegistry.withBuiltIns());
  }

  public Pipeline(SerdeRegistry serdes) {
    this.serdes = serdes;
  }

  /** Starts a stream from a source connector. */
  public <T> DataStream<T> source(Source<T> source) {
    // the graph takes the type from Source.producedType(); .returns(...) on the stream overrides it
    return new DataStream<>(this, add(new Specs.SourceSpec(source), List.of()));
  }

  /** Starts a stream from a source connector, naming the operator. */
  public <T> DataStream<T> source(String name, Source<T> source) {
    DataStream<T> s = source(source);
    s.name(name);
    return s;
  }

  /**
   * Tells the serialized exchange (and state snapshots) how to write values of a class. Records,
   * enums, primitives, strings and byte arrays need no registration.
   */
  public <T> Pipeline registerSerde(Class<T> type, Serde<T> serde) {
    serdes.register(type, serde);
    return this;
  }

  /**
   * Declares a class the job carries only dynamically, as Flink's {@code registerType}: a value of an
   * {@code Object} or non-sealed interface component, an element of a raw {@code List}, a broadcast state's key or
   * value. Classes on the plan's edges, keys and state (and what their serdes name: record components, {@code List}
   * and {@code Map} arguments, arrays, enums, sealed interfaces' permitted subclasses) need no registration. A class
   * read from a frame or a snapshot is accepted only if it is one of these; see {@link SerdeRegistry#resolve}.
   */
  public Pipeline registerType(Class<?> type) {
    serdes.allow(type);
    return this;
  }

  public SerdeRegistry serdes() {
    return serdes;
  }

  public JobGraph graph() {
    return graph;
  }

  Transform add(OperatorSpec spec, List<StreamEdge> inputs) {
    int id = graph.transforms().size();
    return graph.add(spec, spec.kind() + "-" + id, inputs);
  }
}
