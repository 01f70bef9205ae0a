package io.eddy.connector;

import io.eddy.api.Counter;
import io.vertx.core.Vertx;

/** What a sink writer may use of the task that runs it. */
public interface SinkContext {
  int subtaskIndex();

  int parallelism();

  String operatorName();

  Vertx vertx();

  Counter counter(String name);
}
