package io.eddy.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The logical dataflow of a job as its {@link io.eddy.api.Pipeline} described it. */
public final class JobGraph {
  private final List<Transform> transforms = new ArrayList<>();

  public Transform add(OperatorSpec spec, String name, List<StreamEdge> inputs) {
    Transform t = new Transform(transforms.size(), spec, name);
    inputs.forEach(t::addInput);
    transforms.add(t);
    return t;
  }

  /** All transforms, in topological (creation) order. */
  public List<Transform> transforms() {
    return Collections.unmodifiableList(transforms);
  }
}
