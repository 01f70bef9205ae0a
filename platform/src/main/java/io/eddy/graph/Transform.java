package io.eddy.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A node of the logical graph: one operator with its inputs. Created by the API in the order the
 * job describes them, which is also a topological order; {@link #id()} is that position, identical
 * on every node that builds the same job.
 */
public final class Transform {
  private final int id;
  private final OperatorSpec spec;
  private final List<StreamEdge> inputs = new ArrayList<>();
  private String name;
  private int parallelism; // 0: the job's default

  Transform(int id, OperatorSpec spec, String name) {
    this.id = id;
    this.spec = spec;
    this.name = name;
  }

  public int id() {
    return id;
  }

  public OperatorSpec spec() {
    return spec;
  }

  public String name() {
    return name;
  }

  public void name(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("operator name must not be blank");
    }
    this.name = name;
  }

  /** The parallelism the job asked for, or 0 for the job's default. */
  public int parallelism() {
    return parallelism;
  }

  public void parallelism(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "operator '" + name + "': parallelism must be at least 1, got " + parallelism);
    }
    this.parallelism = parallelism;
  }

  public List<StreamEdge> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  void addInput(StreamEdge edge) {
    inputs.add(edge);
  }

  @Override
  public String toString() {
    return name + "#" + id;
  }
}
