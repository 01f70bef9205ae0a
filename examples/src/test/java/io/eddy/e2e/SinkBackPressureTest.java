package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.Counter;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import io.eddy.connector.WorkInFlight;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Jobs;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sink writer that hands its records to a slow worker thread in batches keeps at most a fixed
 * number of batches handed over: its {@link SinkWriter#backPressure} holds the task's input back,
 * chained behind the source (the source is not polled) or behind an exchange (credit is withheld),
 * and every record arrives exactly once.
 */
@Timeout(120)
class SinkBackPressureTest {
  private static final int EVENTS = 200_000;
  private static final int BATCH = 256;
  private static final int MAX_BATCHES = 2;
  /** The most batches one writer had handed over at once, over the subtasks of the run. */
  private static final java.util.concurrent.atomic.AtomicInteger MOST_IN_FLIGHT = new java.util.concurrent.atomic.AtomicInteger();

  /** Sums prices on a single worker thread, batch by batch, with some arithmetic per record. */
  static final class SlowAsyncSink implements Sink<Long> {
    @Override
    public SinkWriter<Long> createWriter(SinkContext context) {
      WorkerExecutor worker = context.vertx().createSharedWorkerExecutor("slow-sink-" + context.subtaskIndex(), 1);
      Counter count = context.counter("count");
      Counter sum = context.counter("sum");
      Counter work = context.counter("work");
      return new SinkWriter<>() {
        private List<Long> buffer = new ArrayList<>(BATCH);
        private Future<Void> last = Future.succeededFuture();
        private final WorkInFlight inFlight = new WorkInFlight(MAX_BATCHES);

        @Override
        public void write(Long price, long timestamp) {
          buffer.add(price);
          if (buffer.size() == BATCH) {
            hand();
          }
        }

        private void hand() {
          List<Long> batch = buffer;
          buffer = new ArrayList<>(BATCH);
          inFlight.started();
          MOST_IN_FLIGHT.accumulateAndGet(inFlight.inFlight(), Math::max);
          last = last.compose(v -> worker.<Void>executeBlocking(() -> {
            long h = 0;
            for (long p : batch) {
              long x = p ^ h;
              for (int i = 0; i < 3_000; i++) { // slower than the source, never a sleep
                x ^= x >>> 31;
                x *= 0x9E3779B97F4A7C15L;
              }
              h = x;
              count.inc();
              sum.add(p);
            }
            work.add(h);
            return null;
          }, true)).onComplete(ar -> inFlight.finished());
        }

        @Override
        public Future<Void> backPressure() {
          return inFlight.backPressure();
        }

        @Override
        public Future<Void> finish() {
          if (!buffer.isEmpty()) {
            hand();
          }
          return last;
        }

        @Override
        public void close() {
          worker.close();
        }
      };
    }
  }

  @ParameterizedTest(name = "chaining {0}")
  @ValueSource(booleans = {true, false})
  void aWriterWithAFullQueueHoldsTheTaskInputBackAndLosesNothing(boolean chaining) throws Exception {
    MOST_IN_FLIGHT.set(0);
    JobConfig config = Jobs.config("test.SinkBackPressure", 2, chaining, null, null);
    JobResult r = Jobs.run(config, (pipeline, params) ->
        pipeline.source("bids", new BidSource(EVENTS))
            .map(b -> b.price()).name("price")
            .sink(new SlowAsyncSink()).name("sink"));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long expectedSum = 0;
    for (int i = 0; i < EVENTS; i++) {
      expectedSum += BidGenerator.bid(i).price();
    }
    assertThat(r.metric("sink.count")).isEqualTo(EVENTS);
    assertThat(r.metric("sink.sum")).isEqualTo(expectedSum);
    // the bound was reached (the sink is the bottleneck), and only the last batch, handed by finish(), may exceed it
    assertThat(MOST_IN_FLIGHT.get()).isBetween(MAX_BATCHES, MAX_BATCHES + 1);
    assertThat(r.metric("sink.pausedByWriter")).as("times the writer held the input back").isPositive();
  }
}
