package io.eddy.connectors.counting;

import io.eddy.api.Counter;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.vertx.core.Future;
import java.util.function.ToLongFunction;

/**
 * Keeps nothing but a count of its records and the wrapping sum of a checksum of each, in the
 * metrics {@code <sink name>.outputs} and {@code <sink name>.checksum}: the benchmark sink, whose
 * totals over all subtasks are the workload's outputs and checksum.
 */
public final class ChecksumSink<T> implements Sink<T> {
  public static final String OUTPUTS = "outputs";
  public static final String CHECKSUM = "checksum";
  private static final int PUBLISH_EVERY = 4096;

  private final ToLongFunction<T> checksum;

  public ChecksumSink(ToLongFunction<T> checksum) {
    this.checksum = checksum;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    Counter outputs = context.counter(OUTPUTS);
    Counter sum = context.counter(CHECKSUM);
    return new SinkWriter<>() {
      private long count;
      private long total;
      private int unpublished;

      @Override
      public void write(T record, long timestamp) {
        count++;
        total += checksum.applyAsLong(record);
        if (++unpublished == PUBLISH_EVERY) {
          publish();
        }
      }

      private void publish() {
        unpublished = 0;
        outputs.add(count - outputs.get());
        sum.add(total - sum.get());
      }

      @Override
      public Future<Void> finish() {
        publish();
        return Future.succeededFuture();
      }
    };
  }
}
