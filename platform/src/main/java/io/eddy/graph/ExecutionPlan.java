package io.eddy.graph;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The job graph after chaining: vertices (tasks) and the edges (exchanges) between them, with
 * every parallelism resolved. Deterministic: the same graph and settings give the same plan on
 * every node, so vertices and edges are identified by their index.
 *
 * <p>A transform is chained to its input when it has exactly one input, that input has no other
 * consumer, the edge is forward, both have the same parallelism and the transform need not start a
 * chain ({@link OperatorSpec#startsChain}). A forward edge between
 * different parallelisms becomes a rebalance.
 *
 * <p>Every edge has a record type (and a hashed edge a key type), as the API extracted or the job declared them
 * ({@link TypeExtraction}, {@code returns}); planning fails with an {@link InvalidTypesException} naming the
 * operator and the fix when one is unknown. {@link #carriedTypes} lists them for the task's serde registry.
 */
public final class ExecutionPlan {
  private final List<JobVertex> vertices;
  private final List<JobEdge> edges;
  private final int maxParallelism;
  private final List<Type> carriedTypes;

  private ExecutionPlan(List<JobVertex> vertices, List<JobEdge> edges, int maxParallelism, List<Type> carriedTypes) {
    this.vertices = Collections.unmodifiableList(vertices);
    this.edges = Collections.unmodifiableList(edges);
    this.maxParallelism = maxParallelism;
    this.carriedTypes = Collections.unmodifiableList(carriedTypes);
  }

  public static ExecutionPlan of(JobGraph graph, int defaultParallelism, int maxParallelism) {
    return of(graph, defaultParallelism, maxParallelism, true);
  }

  /** Plans the graph; with {@code chaining} false every transform becomes a vertex of its own. */
  public static ExecutionPlan of(
      JobGraph graph, int defaultParallelism, int maxParallelism, boolean chaining) {
    List<Transform> transforms = graph.transforms();
    if (transforms.isEmpty()) {
      throw new IllegalArgumentException("the job defines no operator");
    }
    Map<Transform, Integer> consumers = new HashMap<>();
    for (Transform t : transforms) {
      for (StreamEdge e : t.inputs()) {
        if (e.sideTag() == null) {
          consumers.merge(e.source(), 1, Integer::sum);
        }
      }
    }
    List<Type> carried = new ArrayList<>();
    Map<Transform, JobVertex> vertexOf = new HashMap<>();
    List<JobVertex> vertices = new ArrayList<>();
    List<JobEdge> edges = new ArrayList<>();
    for (Transform t : transforms) {
      t.spec().validate(t.name());
      for (StreamEdge e : t.inputs()) {
        carried.add(recordType(e, t));
        if (e.key() != null) {
          if (e.keyType() == null) {
            throw new InvalidTypesException("operator '" + t.name() + "': the type of the keys of its input from '"
                + e.source().name() + "' is unknown; use a key selector whose result type shows (a method"
                + " reference or a KeySelector class)");
          }
          carried.add(e.keyType());
        }
      }
      carried.addAll(t.stateTypes());
      int p = t.parallelism() == 0 ? defaultParallelism : t.parallelism();
      if (p > maxParallelism) {
        throw new IllegalArgumentException(
            "operator '" + t.name() + "': parallelism " + p + " exceeds maxParallelism " + maxParallelism);
      }
      if (t.inputs().size() == 1) {
        StreamEdge in = t.inputs().get(0);
        JobVertex up = vertexOf.get(in.source());
        if (chaining
            && !t.spec().startsChain()
            && in.sideTag() == null
            && in.partitioning() == Partitioning.FORWARD
            && up.parallelism() == p
            && up.tail() == in.source()
            && consumers.get(in.source()) == 1) {
          up.append(t);
          vertexOf.put(t, up);
          continue;
        }
      }
      JobVertex v = new JobVertex(vertices.size(), p, t);
      vertices.add(v);
      vertexOf.put(t, v);
      int inputIndex = 0;
      for (StreamEdge in : t.inputs()) {
        JobVertex up = vertexOf.get(in.source());
        Partitioning part = in.partitioning();
        if (part == Partitioning.FORWARD && up.parallelism() != p) {
          part = Partitioning.REBALANCE;
        }
        if (in.sideTag() == null && up.tail() != in.source()) {
          throw new IllegalStateException("main output of " + in.source() + " is chained; cannot also feed " + t);
        }
        JobEdge edge =
            new JobEdge(edges.size(), up, v, inputIndex++, part, in.key(), in.source(), in.sideTag(),
                recordType(in, t), in.keyType());
        edges.add(edge);
        up.outputs.add(edge);
        v.inputs.add(edge);
      }
    }
    return new ExecutionPlan(vertices, edges, maxParallelism, carried);
  }

  /** The type of the records {@code in} carries into {@code consumer}; fails naming the fix if it is unknown. */
  private static Type recordType(StreamEdge in, Transform consumer) {
    Transform producer = in.source();
    if (in.sideTag() == null) {
      if (producer.outputType() == null) {
        throw new InvalidTypesException("operator '" + producer.name() + "': the type of its output (read by '"
            + consumer.name() + "') cannot be determined: " + producer.unknownType() + ". Declare it: add"
            + " .returns(Word.class) after it (with its record class), or use a method reference or a class"
            + " implementing the function");
      }
      return producer.outputType();
    }
    Type t = producer.sideType(in.sideTag());
    if (t == null) {
      throw new InvalidTypesException("operator '" + producer.name() + "': the type of its side output '"
          + in.sideTag() + "' (read by '" + consumer.name() + "') is unknown; create the tag with its class,"
          + " new OutputTag<>(\"" + in.sideTag() + "\", Word.class), or add .returns(Word.class) to the side"
          + " stream");
    }
    return t;
  }

  /**
   * The types this job's records, keys and operator state have, as the graph declares them: every input's record
   * type, every key type, and types operators keep in state (accumulators, windows). Their closure under what
   * their serdes name is what a task accepts from frames and snapshots ({@code SerdeRegistry.allow}).
   */
  public List<Type> carriedTypes() {
    return carriedTypes;
  }

  public List<JobVertex> vertices() {
    return vertices;
  }

  public JobVertex vertex(int id) {
    return vertices.get(id);
  }

  public List<JobEdge> edges() {
    return edges;
  }

  public int maxParallelism() {
    return maxParallelism;
  }

  /** Total number of subtasks over all vertices. */
  public int subtaskCount() {
    return vertices.stream().mapToInt(JobVertex::parallelism).sum();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    vertices.forEach(v -> sb.append(v).append('\n'));
    edges.forEach(e -> sb.append(e).append('\n'));
    return sb.toString();
  }
}
