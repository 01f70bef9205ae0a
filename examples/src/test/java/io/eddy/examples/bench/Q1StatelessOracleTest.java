package io.eddy.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.Jobs;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the q1-stateless workload and compares its metrics with a loop over the generator. */
@Timeout(120)
class Q1StatelessOracleTest {

  /** The workload by definition (bench/WORKLOADS.md): {outputs, checksum}. */
  static long[] oracle(long events) {
    long outputs = 0;
    long checksum = 0;
    for (long i = 0; i < events; i++) {
      Bid b = BidGenerator.bid(i);
      if (b.auction() % 16 == 0) {
        outputs++;
        checksum += b.price() * 908 / 1000;
      }
    }
    return new long[] {outputs, checksum};
  }

  @Test
  void oracleReproducesThePublishedReferenceForTwoHundredThousandEvents() {
    assertThat(oracle(200_000)).containsExactly(12_689L, 56_306_800L);
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int p : new int[] {1, 2, 4}) {
      for (boolean serialize : new boolean[] {false, true}) {
        for (long n : new long[] {200_000, 123_457}) {
          cases.add(Arguments.of(n, p, 0, serialize, false));
        }
        // one record per frame: every record is its own event-bus message, so keep N small
        cases.add(Arguments.of(10_007L, p, 1, serialize, false));
      }
    }
    cases.add(Arguments.of(200_000L, 2, 0, false, true)); // as `bench` runs it: all chained
    cases.add(Arguments.of(0L, 3, 0, true, false)); // no events at all still finishes
    return cases.stream();
  }

  @ParameterizedTest(name = "N {0}, parallelism {1}, maxRecords {2} (0: default), serializeLocal {3}, chaining {4}")
  @MethodSource("matrix")
  void outputsAndChecksumEqualTheOracle(long events, int parallelism, int maxRecords, boolean serialize,
      boolean chaining) throws Exception {
    JobConfig config = Jobs.config(Q1Stateless.class.getName(), parallelism, chaining,
        Jobs.frame(maxRecords, serialize), new JsonObject().put("events", events));

    JobResult r = Jobs.run(config, new Q1Stateless());

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    long[] expected = oracle(events);
    assertThat(r.metric("sink.outputs")).as("sink.outputs").isEqualTo(expected[0]);
    assertThat(r.metric("sink.checksum")).as("sink.checksum").isEqualTo(expected[1]);
    assertThat(r.metrics()).containsKeys("sink.outputs", "sink.checksum");
  }
}
