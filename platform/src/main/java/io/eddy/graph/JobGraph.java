package io.eddy.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The logical dataflow of a job as its {@link io.eddy.api.Pipeline} described it. */
public final class JobGraph {
  private final List<Transform> transforms = new ArrayList<>();

  public Transform add(OperatorSpec spec, String name, List<StreamEdge> inputs) {
    Transform t = new Transform(transforms.size(), spec, name);
    if (spec instanceof Specs.SourceSpec s) {
      java.lang.reflect.Type type = s.source().producedType();
      if (type != null) {
        t.outputType(type);
      } else {
        t.unknownType("source " + s.source().getClass().getName() + " does not declare the type it produces"
            + " (Source.producedType())");
      }
    }
    inputs.forEach(t::addInput);
    transforms.add(t);
    return t;
  }

  /** All transforms, in topological (creation) order. */
  public List<Transform> transforms() {
    return Collections.unmodifiableList(transforms);
  }
}
