package io.eddy.api;

import io.eddy.graph.Transform;

/** The end of a stream in a sink; lets the job name the sink and set its parallelism. */
public final class DataStreamSink<T> {
  private final Transform transform;

  DataStreamSink(Transform transform) {
    this.transform = transform;
  }

  public DataStreamSink<T> name(String name) {
    transform.name(name);
    return this;
  }

  public DataStreamSink<T> parallelism(int parallelism) {
    transform.parallelism(parallelism);
    return this;
  }

  public Transform transform() {
    return transform;
  }
}
