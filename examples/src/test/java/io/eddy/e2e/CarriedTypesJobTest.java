package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.StreamJob;
import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.CollectingSink.Arrival;
import io.eddy.testing.Jobs;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running job carries only the classes its plan declares: a class that travels inside an {@code Object} field
 * fails the job where it is written (the sending task), naming it and the fix, until the job registers it.
 */
@Timeout(120)
class CarriedTypesJobTest {
  private static final List<Integer> NUMBERS = IntStream.range(0, 2_000).boxed().toList();

  record Envelope(int id, Object payload) {}

  record Note(String text) {}

  /** Every edge serialized, so every record crosses a FrameEncoder and a FrameDecoder. */
  private static JobConfig config() {
    return Jobs.config("test.CarriedTypes", 2, false, Jobs.frame(0, true), null);
  }

  private static StreamJob job(boolean declareNote, ConcurrentLinkedQueue<Arrival<Envelope>> arrivals) {
    return (pipeline, params) -> {
      if (declareNote) {
        pipeline.registerType(Note.class);
      }
      pipeline.source("numbers", CollectionSource.of(NUMBERS))
          .map(x -> new Envelope(x, x % 2 == 0 ? new Note("n" + x) : List.of("l", x))).name("wrap")
          .keyBy(Envelope::id)
          .reduce((a, b) -> b).name("latest")
          .sink(new CollectingSink<>(arrivals)).name("collect");
    };
  }

  @Test
  void aClassOnlyInAnObjectFieldFailsAtTheSenderUntilTheJobRegistersIt() throws Exception {
    ConcurrentLinkedQueue<Arrival<Envelope>> arrivals = new ConcurrentLinkedQueue<>();
    JobResult failed = Jobs.run(config(), job(false, arrivals));
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.error())
        .contains("'wrap'")
        .contains("a value of class " + Note.class.getName() + ", which is not a type this job can carry")
        .contains("pipeline.registerType(Note.class)");
    assertThat(arrivals.stream().map(a -> a.record().payload())).noneMatch(p -> p instanceof Note);
    assertThat(Jobs.liveTasksOf(failed.jobId())).as("tasks left behind").isEmpty();

    ConcurrentLinkedQueue<Arrival<Envelope>> declared = new ConcurrentLinkedQueue<>();
    JobResult ok = Jobs.run(config(), job(true, declared));
    assertThat(ok.status()).as(ok.error()).isEqualTo(JobStatus.FINISHED);
    Set<Envelope> expected = new HashSet<>();
    for (int x : NUMBERS) { // each id once: the reduce emits it unchanged
      expected.add(new Envelope(x, x % 2 == 0 ? new Note("n" + x) : List.of("l", x)));
    }
    assertThat(declared).hasSize(NUMBERS.size());
    assertThat(declared.stream().map(Arrival::record).collect(Collectors.toSet())).isEqualTo(expected);
  }
}
