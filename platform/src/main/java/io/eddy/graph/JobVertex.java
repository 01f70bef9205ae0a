package io.eddy.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A vertex of the execution plan: a chain of transforms fused into one task, run as
 * {@link #parallelism()} subtasks. The head of the chain receives the vertex's inputs; the tail's
 * output goes to every output edge.
 */
public final class JobVertex {
  private final int id;
  private final int parallelism;
  private final List<Transform> chain = new ArrayList<>();
  final List<JobEdge> inputs = new ArrayList<>();
  final List<JobEdge> outputs = new ArrayList<>();

  JobVertex(int id, int parallelism, Transform head) {
    this.id = id;
    this.parallelism = parallelism;
    chain.add(head);
  }

  public int id() {
    return id;
  }

  public int parallelism() {
    return parallelism;
  }

  /** The fused transforms, head first. */
  public List<Transform> chain() {
    return Collections.unmodifiableList(chain);
  }

  public Transform head() {
    return chain.get(0);
  }

  public Transform tail() {
    return chain.get(chain.size() - 1);
  }

  public boolean isSource() {
    return head().spec() instanceof Specs.SourceSpec;
  }

  public List<JobEdge> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public List<JobEdge> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** The chain's operator names joined by arrows, as shown to users. */
  public String name() {
    return chain.stream().map(Transform::name).collect(Collectors.joining(" -> "));
  }

  void append(Transform t) {
    chain.add(t);
  }

  @Override
  public String toString() {
    return "vertex " + id + " [" + name() + "] x" + parallelism;
  }
}
