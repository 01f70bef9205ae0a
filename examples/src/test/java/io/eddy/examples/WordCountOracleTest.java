package io.eddy.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.config.JobConfig;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import io.eddy.testing.Jobs;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs {@link WordCount} over a generated directory and compares with a plain-loop oracle. */
@Timeout(120)
class WordCountOracleTest {
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{Nd}]+");

  private static final String[] VOCABULARY = {
    "the", "The", "THE", "river", "Eddy", "stream", "Records", "élan", "Élan", "ÉLAN", "naïve",
    "straße", "İstanbul", "Ωmega", "東京", "ǅemal", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "٣٤٥", "42", "007", "a1b2", "x²",
    "½", "don't", "e-mail", "user_name", "O'Brien", "résumé", "café", "CAFÉ", "über", "Zürich",
    "3.14", "1,000", "hello", "world", "émigré", "Ⅻ", "naïveté", "ﬁne"
  };
  private static final String[] SEPARATORS = {
    " ", " ", " ", "  ", ", ", "; ", " -- ", "\t", "...", "!", "\"", " (", ") ", "’", "\u00A0",
    "/", "?", " — ", ":"
  };

  @TempDir static Path input;
  private static Map<String, Long> oracle;

  @BeforeAll
  static void generateInput() throws IOException {
    Random random = new Random(20240611);
    List<String> names = List.of("a.txt", "b.txt", "c.log", "d", "e.txt");
    for (String name : names) {
      StringBuilder text = new StringBuilder();
      int lines = 300 + random.nextInt(300);
      for (int l = 0; l < lines; l++) {
        if (random.nextInt(8) == 0) {
          text.append(random.nextBoolean() ? "" : " \t ").append('\n'); // blank lines
          continue;
        }
        if (random.nextInt(20) == 0) {
          text.append(SEPARATORS[random.nextInt(SEPARATORS.length)]); // leading separator
        }
        int words = 1 + random.nextInt(12);
        for (int w = 0; w < words; w++) {
          String word = VOCABULARY[random.nextInt(VOCABULARY.length)];
          if (random.nextInt(6) == 0) {
            word = word.toUpperCase(Locale.ROOT);
          } else if (random.nextInt(6) == 0) {
            word = word + random.nextInt(100); // digits glued to letters
          }
          text.append(word);
          if (w + 1 < words || random.nextInt(4) == 0) {
            text.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
          }
        }
        text.append(name.equals("c.log") ? "\r\n" : "\n"); // one file with CRLF line ends
      }
      if (name.equals("d")) {
        text.append("last line without a line end, Élan");
      }
      Files.writeString(input.resolve(name), text, StandardCharsets.UTF_8);
    }
    Files.writeString(input.resolve("empty.txt"), "");
    Files.writeString(input.resolve("only-blank.txt"), "\n\n   \n\n");

    oracle = new HashMap<>();
    try (Stream<Path> files = Files.list(input)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          for (String w : NON_WORD.split(line)) {
            if (!w.isEmpty()) {
              oracle.merge(w.toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
          }
        }
      }
    }
  }

  @Test
  void generatedInputIsWhatTheMatrixNeeds() {
    // guards the oracle against a generator that produced too little to exercise anything
    assertThat(oracle.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(10_000);
    assertThat(oracle).containsKeys("élan", "straße", "東京", "٣٤٥", "42", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ǆemal", "don", "t")
        .doesNotContainKeys("Élan", "x²", "3.14", "user_name");
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (int p : new int[] {1, 2, 4}) {
      for (int maxRecords : new int[] {1, 0}) {
        for (boolean serialize : new boolean[] {false, true}) {
          cases.add(Arguments.of(p, maxRecords, serialize, true));
        }
      }
    }
    // every operator its own task: the tallies cross an exchange too
    cases.add(Arguments.of(2, 0, true, false));
    cases.add(Arguments.of(3, 7, false, false));
    return cases.stream();
  }

  @ParameterizedTest(name = "parallelism {0}, maxRecords {1} (0: default), serializeLocal {2}, chaining {3}")
  @MethodSource("matrix")
  void countsEqualThePlainLoopOracle(int parallelism, int maxRecords, boolean serialize, boolean chaining,
      @TempDir Path out) throws Exception {
    Path output = out.resolve("counts");
    JobConfig config = Jobs.config(WordCount.class.getName(), parallelism, chaining,
        Jobs.frame(maxRecords, serialize),
        new JsonObject().put("input", input.toString()).put("output", output.toString()));

    JobResult r = Jobs.run(JobDefinition.load(config, getClass().getClassLoader()));

    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
    try (Stream<Path> parts = Files.list(output)) {
      assertThat(parts.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.IntStream.range(0, parallelism).mapToObj(i -> "part-" + i).toList());
    }
    Map<String, Long> counts = new HashMap<>();
    List<String> repeated = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      for (String line : Files.readAllLines(output.resolve("part-" + i), StandardCharsets.UTF_8)) {
        int space = line.lastIndexOf(' ');
        assertThat(space).as("line '%s'", line).isPositive();
        String word = line.substring(0, space);
        long count = Long.parseLong(line.substring(space + 1));
        if (counts.put(word, count) != null) {
          repeated.add(word);
        }
      }
    }
    assertThat(repeated).as("words on more than one line").isEmpty();
    assertThat(counts).isEqualTo(oracle);
  }
}
