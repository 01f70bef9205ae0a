package io.eddy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compares the lines of the two engines as multisets and reports the differences. */
final class Compare {
  private Compare() {}

  /** Eddy's lines equal Flink's as a multiset; Flink produced some, and some start with each prefix. */
  static void sameLines(List<String> eddy, List<String> flink, String... prefixesThatMustOccur) {
    assertThat(flink).as("Flink's output").isNotEmpty();
    for (String prefix : prefixesThatMustOccur) {
      assertThat(flink).as("Flink lines starting with '%s '", prefix).anyMatch(l -> l.startsWith(prefix + " "));
    }
    Map<String, Integer> diff = new HashMap<>();
    eddy.forEach(l -> diff.merge(l, 1, Integer::sum));
    flink.forEach(l -> diff.merge(l, -1, Integer::sum));
    List<String> onlyEddy = new ArrayList<>();
    List<String> onlyFlink = new ArrayList<>();
    diff.forEach((l, n) -> {
      for (int i = 0; i < Math.abs(n); i++) {
        (n > 0 ? onlyEddy : onlyFlink).add(l);
      }
    });
    onlyEddy.sort(null);
    onlyFlink.sort(null);
    assertThat(onlyEddy.size() + onlyFlink.size())
        .as("of %d Eddy and %d Flink lines, %d only in Eddy, e.g. %s; %d only in Flink, e.g. %s",
            eddy.size(), flink.size(), onlyEddy.size(), head(onlyEddy), onlyFlink.size(), head(onlyFlink))
        .isZero();
  }

  private static List<String> head(List<String> l) {
    return l.subList(0, Math.min(12, l.size()));
  }
}
