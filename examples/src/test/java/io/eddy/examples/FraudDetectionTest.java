package io.eddy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.config.JobParams;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@link FraudDetection} on the shipped sample and on generated inputs, and compares its
 * alerts with an oracle that scans each account's transactions in time order.
 */
@Timeout(120)
class FraudDetectionTest {

  /** A transaction as the oracle reads it. */
  private record Txn(long ts, String account, long cents) {}

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void sampleMatchesOracle(int parallelism, @TempDir Path tmp) throws Exception {
    JobConfig file = ExampleRuns.jobFile("fraud-detection.json");
    Path input = ExampleRuns.root().resolve(file.params().require("input"));
    List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeBetween(200, 1_000);
    Path out = tmp.resolve("out");
    JobConfig config = file.withParallelism(parallelism)
        .withParams(file.params().withOverrides(Map.of("input", input.toString(), "output", out.toString())));

    JobResult r = ExampleRuns.run(config);

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<String> expected = oracle(lines, 100, 50_000, 60_000);
    List<String> actual = sorted(ExampleRuns.allLines(out));
    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(r.metric("detect.lateTransactions")).isZero();

    // the scenarios of the sample (see SampleData.transactionsSample) come out as designed
    assertThat(alertsOf(actual, "acct-S01")).hasSize(1);
    assertThat(alertsOf(actual, "acct-S02")).as("61 s apart").isEmpty();
    assertThat(alertsOf(actual, "acct-S03")).as("exactly 60 s apart").isEmpty();
    assertThat(alertsOf(actual, "acct-S04")).as("59.999 s apart").hasSize(1);
    assertThat(alertsOf(actual, "acct-S05")).as("a medium one in between").isEmpty();
    assertThat(alertsOf(actual, "acct-S06")).as("from the second small one")
        .containsExactly("acct-S06 1700000110000 1700000115000 600.00");
    assertThat(alertsOf(actual, "acct-S07")).as("exactly 1.00, exactly 500.00").isEmpty();
    assertThat(alertsOf(actual, "acct-S08")).hasSize(1);
    assertThat(alertsOf(actual, "acct-S09")).hasSize(1);
    assertThat(alertsOf(actual, "acct-S10")).as("large written before small").hasSize(1);
    assertThat(alertsOf(actual, "acct-S11")).hasSize(2);
    assertThat(alertsOf(actual, "acct-S12")).as("same millisecond").hasSize(1);
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void generatedInputMatchesOracle(int parallelism, @TempDir Path tmp) throws Exception {
    List<String> lines = SampleData.transactions(parallelism * 104_729L, 30_000, 400, 3 * 3_600_000L, 2_000);
    Path input = tmp.resolve("transactions.csv");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");

    JobResult r = ExampleRuns.run(config(parallelism, Map.of("input", input.toString(), "output", out.toString(),
        "outOfOrdernessMs", "2000", "smallAmount", "0.80", "largeAmount", "700", "windowMs", "45000")));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<String> expected = oracle(lines, 80, 70_000, 45_000);
    assertThat(expected).hasSizeGreaterThan(200);
    assertThat(sorted(ExampleRuns.allLines(out))).containsExactlyElementsOf(expected);
    assertThat(r.metric("detect.lateTransactions")).isZero();
  }

  /**
   * With no out-of-orderness allowed, a transaction far behind the others arrives after a
   * watermark (emitted after 1,024 records at the latest) has passed it: it is counted and written
   * to the late output, and the alert it would have completed is not raised.
   */
  @Test
  void lateTransactionGoesToTheSideOutput(@TempDir Path tmp) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("1000,victim,0.10");
    for (int i = 0; i < 1_100; i++) {
      lines.add((100_000 + i * 1_000L) + ",busy," + (i % 7 == 0 ? "0.50" : "20.00"));
    }
    lines.add("2000,victim,900.00");
    Path input = tmp.resolve("transactions.csv");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");
    Path late = tmp.resolve("late");

    JobResult r = ExampleRuns.run(config(1, Map.of("input", input.toString(), "output", out.toString(),
        "lateOutput", late.toString(), "outOfOrdernessMs", "0")));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("detect.lateTransactions")).isEqualTo(1);
    assertThat(ExampleRuns.allLines(late)).containsExactly("2000,victim,900.00");
    assertThat(ExampleRuns.allLines(out)).isEmpty();
  }

  @Test
  void malformedLinesAreSkippedUnderTheSkipPolicy(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("transactions.csv");
    Files.write(input, List.of("ts,account,amount", "1000,a,0.99", "1001,a,12.345", "1002,,5", "x,a,1",
        "", "1003,a,500.01"), StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");
    JobConfig config = JobConfig.parse(
            "{\"job\": \"io.eddy.examples.FraudDetection\", \"badRecords\": \"skip\"}", "test")
        .withParams(JobParams.of(Map.of("input", input.toString(), "output", out.toString())));

    JobResult r = ExampleRuns.run(config);

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    assertThat(r.metric("event-time.badRecords")).isEqualTo(3);
    assertThat(ExampleRuns.allLines(out)).containsExactly("a 1000 1003 500.01");
  }

  private static JobConfig config(int parallelism, Map<String, String> params) {
    return JobConfig.parse(
            "{\"job\": \"io.eddy.examples.FraudDetection\", \"parallelism\": " + parallelism + "}", "test")
        .withParams(JobParams.of(params));
  }

  private static List<String> alertsOf(List<String> alerts, String account) {
    return alerts.stream().filter(l -> l.startsWith(account + " ")).toList();
  }

  private static List<String> sorted(List<String> lines) {
    List<String> s = new ArrayList<>(lines);
    s.sort(Comparator.naturalOrder());
    return s;
  }

  /**
   * The alerts, sorted as strings: per account, the transactions sorted by time (a stable sort,
   * so equal times keep the file's order); an alert for every transaction above {@code largeCents}
   * whose predecessor is below {@code smallCents} and less than {@code windowMs} earlier.
   */
  private static List<String> oracle(List<String> lines, long smallCents, long largeCents, long windowMs) {
    Map<String, List<Txn>> byAccount = new LinkedHashMap<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("ts")) {
        continue;
      }
      String[] f = line.split(",");
      Txn t = new Txn(Long.parseLong(f[0]), f[1],
          new BigDecimal(f[2]).movePointRight(2).longValueExact());
      byAccount.computeIfAbsent(t.account(), a -> new ArrayList<>()).add(t);
    }
    List<String> alerts = new ArrayList<>();
    for (List<Txn> txns : byAccount.values()) {
      txns.sort(Comparator.comparingLong(Txn::ts));
      for (int i = 1; i < txns.size(); i++) {
        Txn prev = txns.get(i - 1);
        Txn cur = txns.get(i);
        if (prev.cents() < smallCents && cur.cents() > largeCents && cur.ts() - prev.ts() < windowMs) {
          alerts.add(cur.account() + " " + prev.ts() + " " + cur.ts() + " "
              + new BigDecimal(cur.cents()).movePointLeft(2).setScale(2).toPlainString());
        }
      }
    }
    alerts.sort(Comparator.naturalOrder());
    return alerts;
  }
}
