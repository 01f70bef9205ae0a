package io.eddy.graph;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
  /** The record type of the main output, or null with {@link #unknownType} saying why. */
  private Type outputType;
  private String unknownType = "no type was declared";
  /** For an operator that keeps its input's type (filter, union, reduce): that input, read when planning. */
  private Transform sameTypeAs;
  private String sameTypeAsTag;
  /** Record types of side outputs, by tag id, where the tag or the operator declares them. */
  private final Map<String, Type> sideTypes = new HashMap<>();
  /** Further types the operator keeps in state (an aggregation's accumulator, a window class). */
  private final List<Type> stateTypes = new ArrayList<>();

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

  /** The record type of the main output, or null when it could not be determined ({@link #unknownType}). */
  public Type outputType() {
    if (outputType == null && sameTypeAs != null) {
      return sameTypeAsTag == null ? sameTypeAs.outputType() : sameTypeAs.sideType(sameTypeAsTag);
    }
    return outputType;
  }

  /** Why {@link #outputType} is null, for the plan's message. */
  public String unknownType() {
    if (outputType == null && sameTypeAs != null) {
      return "it keeps the type of its input '" + sameTypeAs.name() + "'"
          + (sameTypeAsTag == null ? "" : " (side output '" + sameTypeAsTag + "')") + ", which is unknown: "
          + (sameTypeAsTag == null ? sameTypeAs.unknownType() : "the tag has no class")
          + "; declare it there";
    }
    return unknownType;
  }

  /** Declares the record type of the main output (extracted, or given by {@code returns}). */
  public void outputType(Type type) {
    this.outputType = java.util.Objects.requireNonNull(type, "type");
  }

  /**
   * Makes the main output's type that of {@code input}'s main output (or its side output {@code sideTag}) as it is
   * when the plan is made, so a {@code returns} declared there later still counts.
   */
  public void outputTypeOf(Transform input, String sideTag) {
    this.outputType = null;
    this.sameTypeAs = java.util.Objects.requireNonNull(input, "input");
    this.sameTypeAsTag = sideTag;
  }

  /** Records that the main output's type is unknown, and why. */
  public void unknownType(String why) {
    this.outputType = null;
    this.unknownType = why;
  }

  /** The record type of side output {@code tagId}, or null if neither the tag nor the operator declares one. */
  public Type sideType(String tagId) {
    return sideTypes.get(tagId);
  }

  public void sideType(String tagId, Type type) {
    sideTypes.put(tagId, java.util.Objects.requireNonNull(type, "type"));
  }

  /** Types the operator keeps in keyed or operator state besides its records and keys. */
  public List<Type> stateTypes() {
    return Collections.unmodifiableList(stateTypes);
  }

  public void addStateType(Type type) {
    stateTypes.add(java.util.Objects.requireNonNull(type, "type"));
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
