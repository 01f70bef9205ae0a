package io.eddy.testing;

import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.vertx.core.Future;
import java.util.Queue;

/**
 * A sink that appends every record, with the index of the subtask that received it, to a queue
 * shared by all subtasks (captured by the job's build lambda). Each subtask appends from its own
 * event loop in arrival order, so the queue's order restricted to one subtask is that subtask's
 * arrival order.
 */
public final class CollectingSink<T> implements Sink<T> {
  /** One record as one sink subtask received it. */
  public record Arrival<T>(int subtask, int parallelism, T record, long timestamp) {}

  private final Queue<Arrival<T>> arrivals;

  public CollectingSink(Queue<Arrival<T>> arrivals) {
    this.arrivals = arrivals;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    int subtask = context.subtaskIndex();
    int parallelism = context.parallelism();
    return new SinkWriter<>() {
      @Override
      public void write(T record, long timestamp) {
        arrivals.add(new Arrival<>(subtask, parallelism, record, timestamp));
      }

      @Override
      public Future<Void> finish() {
        return Future.succeededFuture();
      }
    };
  }
}
