package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line of {@code run}: what it says, and that it ends on a line of its own. */
class RunProgressTest {
  @Test
  void eachTickRewritesTheLineWithTheRecordsTheRateOfTheLastIntervalAndTheElapsedTime() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong records = new AtomicLong();
    AtomicLong clock = new AtomicLong(5_000_000_000L);
    RunProgress p = new RunProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), records::get, clock::get);

    records.set(1_500_000);
    clock.addAndGet(1_000_000_000L);
    p.tick();
    records.set(2_000_000);
    clock.addAndGet(2_000_000_000L);
    p.tick();
    records.set(1_000); // the counters of a new attempt start again: the line never goes back
    clock.addAndGet(1_000_000_000L);
    p.tick();
    p.close();

    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
        "\r1,500,000 records read, 1,500,000 records/s, 1.0 s elapsed"
            + "\r2,000,000 records read, 250,000 records/s, 3.0 s elapsed"
            + "\r2,000,000 records read, 0 records/s, 4.0 s elapsed"
            + System.lineSeparator());
  }

  @Test
  void withoutATickNothingIsPrinted() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new RunProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> 7, System::nanoTime).close();
    assertThat(bytes.size()).isZero();
  }
}
