package io.eddy.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.config.JobConfig;
import io.eddy.config.JobParams;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@link HotItems} on the shipped sample and on generated inputs, and compares its output
 * with an oracle that counts every window's bids by a plain loop.
 */
@Timeout(120)
class HotItemsTest {

  /** A bid as the oracle reads it. */
  private record Bid(long ts, long auction) {}

  /** A line of the output: {@code <windowEnd> <rank> <auction> <count>}. */
  private static final Comparator<String> BY_WINDOW_AND_RANK = Comparator
      .comparingLong((String l) -> Long.parseLong(l.split(" ")[0]))
      .thenComparingLong(l -> Long.parseLong(l.split(" ")[1]));

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void sampleMatchesOracle(int parallelism, @TempDir Path tmp) throws Exception {
    JobConfig file = ExampleRuns.jobFile("hot-items.json");
    Path input = ExampleRuns.root().resolve(file.params().require("input"));
    List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
    List<String> malformed = new ArrayList<>();
    List<Bid> bids = parse(lines, malformed);
    assertThat(bids).hasSizeGreaterThanOrEqualTo(1_900);
    assertThat(malformed).hasSize(3);

    Path out = tmp.resolve("out");
    Path rejected = tmp.resolve("rejected");
    JobConfig config = file.withParallelism(parallelism).withParams(file.params().withOverrides(Map.of(
        "input", input.toString(), "output", out.toString(), "rejectedOutput", rejected.toString())));
    JobResult r = ExampleRuns.run(config);

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<String> expected = oracle(bids, 60_000, 10_000, 3);
    assertThat(expected).as("windows in the sample").hasSizeGreaterThan(150);
    assertOutput(out, expected);
    assertThat(r.metric("event-time.badRecords")).isEqualTo(3);
    assertThat(r.metric("count-per-window.lateRecordsDropped")).isZero();
    List<String> rejectedLines = ExampleRuns.allLines(rejected);
    assertThat(rejectedLines).hasSize(3);
    for (String bad : malformed) {
      assertThat(rejectedLines).anySatisfy(l -> assertThat(l).startsWith(bad + "\t"));
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void generatedInputMatchesOracle(int parallelism, @TempDir Path tmp) throws Exception {
    List<String> lines = SampleData.bids(parallelism * 7919L, 40_000, 200, 5_000, 1_500);
    Path input = tmp.resolve("bids.csv");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");

    JobResult r = ExampleRuns.run(config(parallelism, Map.of("input", input.toString(), "output", out.toString(),
        "windowMs", "30000", "slideMs", "5000", "n", "5", "outOfOrdernessMs", "1500")));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<String> malformed = new ArrayList<>();
    List<String> expected = oracle(parse(lines, malformed), 30_000, 5_000, 5);
    assertThat(malformed).isEmpty();
    assertThat(expected).hasSizeGreaterThan(10_000);
    assertOutput(out, expected);
    assertThat(r.metric("count-per-window.lateRecordsDropped")).isZero();
  }

  /** Two files, one per source subtask, each its own out-of-order stream over the same time span. */
  @Test
  void twoInputFilesAtParallelismTwo(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    List<String> a = SampleData.bids(11, 15_000, 50, 1_000, 1_000);
    List<String> b = SampleData.bids(12, 15_000, 50, 1_000, 1_000);
    Files.write(dir.resolve("a.csv"), a, StandardCharsets.UTF_8);
    Files.write(dir.resolve("b.csv"), b, StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");

    JobResult r = ExampleRuns.run(config(2, Map.of("input", dir.toString(), "output", out.toString(),
        "windowMs", "20000", "slideMs", "20000", "n", "4")));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    List<String> expected = oracle(parse(all, new ArrayList<>()), 20_000, 20_000, 4);
    assertOutput(out, expected);
    assertThat(r.metric("count-per-window.lateRecordsDropped")).isZero();
  }

  @Test
  void malformedLineFailsTheJobUnderTheDefaultPolicy(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("bids.csv");
    Files.write(input, List.of("ts,auction,bidder,price", "1000,1,2,3", "1001,one,2,3", "1002,1,2,3"),
        StandardCharsets.UTF_8);

    JobResult r = ExampleRuns.run(config(1, Map.of("input", input.toString(), "output",
        tmp.resolve("out").toString())));

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.error()).contains("event-time").contains("1001,one,2,3");
  }

  @Test
  void badParameterIsReported(@TempDir Path tmp) {
    JobConfig config = config(1, Map.of("input", "x", "output", tmp.toString(), "slideMs", "70000"));
    assertThatThrownBy(() -> ExampleRuns.run(config))
        .hasMessageContaining("slideMs");
  }

  private static JobConfig config(int parallelism, Map<String, String> params) {
    return JobConfig.parse("{\"job\": \"io.eddy.examples.HotItems\", \"parallelism\": " + parallelism + "}", "test")
        .withParams(JobParams.of(params));
  }

  /**
   * The output is the oracle's lines (in any order across part files), each window lives in one
   * part file, and each part file lists its windows in ascending order and each window by rank.
   */
  private static void assertOutput(Path out, List<String> expected) throws Exception {
    Map<String, List<String>> parts = ExampleRuns.parts(out);
    assertThat(parts).isNotEmpty();
    List<String> actual = new ArrayList<>();
    Map<String, String> windowOwner = new HashMap<>();
    for (Map.Entry<String, List<String>> part : parts.entrySet()) {
      List<String> lines = part.getValue();
      assertThat(lines).as("order in %s", part.getKey()).isSortedAccordingTo(BY_WINDOW_AND_RANK);
      for (String l : lines) {
        String end = l.split(" ")[0];
        String owner = windowOwner.putIfAbsent(end, part.getKey());
        assertThat(owner == null || owner.equals(part.getKey()))
            .as("window %s in %s and %s", end, owner, part.getKey()).isTrue();
      }
      actual.addAll(lines);
    }
    actual.sort(BY_WINDOW_AND_RANK);
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  /** The bids of the lines; malformed data lines go to {@code malformed}. */
  private static List<Bid> parse(List<String> lines, List<String> malformed) {
    List<Bid> bids = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("ts")) {
        continue;
      }
      String[] f = line.split(",", -1);
      try {
        if (f.length != 4) {
          throw new NumberFormatException();
        }
        long[] v = new long[4];
        for (int i = 0; i < 4; i++) {
          v[i] = Long.parseLong(f[i].strip());
          if (v[i] < 0) {
            throw new NumberFormatException();
          }
        }
        bids.add(new Bid(v[0], v[1]));
      } catch (NumberFormatException e) {
        malformed.add(line);
      }
    }
    return bids;
  }

  /**
   * For every window {@code [start, start + windowMs)} with {@code start} a multiple of
   * {@code slideMs} that holds a bid: count the bids per auction by a loop over all bids, and list
   * the best {@code n} by count (descending), then auction (ascending).
   */
  private static List<String> oracle(List<Bid> bids, long windowMs, long slideMs, int n) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Bid b : bids) {
      min = Math.min(min, b.ts());
      max = Math.max(max, b.ts());
    }
    List<String> lines = new ArrayList<>();
    for (long start = Math.floorDiv(min - windowMs, slideMs) * slideMs; start <= max; start += slideMs) {
      long end = start + windowMs;
      Map<Long, Long> counts = new HashMap<>();
      for (Bid b : bids) {
        if (b.ts() >= start && b.ts() < end) {
          counts.merge(b.auction(), 1L, Long::sum);
        }
      }
      List<Map.Entry<Long, Long>> ranked = new ArrayList<>(counts.entrySet());
      ranked.sort(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
      for (int i = 0; i < Math.min(n, ranked.size()); i++) {
        lines.add(end + " " + (i + 1) + " " + ranked.get(i).getKey() + " " + ranked.get(i).getValue());
      }
    }
    return lines;
  }
}
