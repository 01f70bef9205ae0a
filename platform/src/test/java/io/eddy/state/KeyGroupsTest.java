package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyGroupsTest {

  static Stream<Arguments> parallelisms() {
    return Stream.of(
        Arguments.of(128, 1), Arguments.of(128, 2), Arguments.of(128, 3), Arguments.of(128, 5),
        Arguments.of(128, 7), Arguments.of(128, 64), Arguments.of(128, 127), Arguments.of(128, 128),
        Arguments.of(1, 1), Arguments.of(10, 3), Arguments.of(1000, 7), Arguments.of(32768, 32767));
  }

  @ParameterizedTest(name = "maxParallelism {0}, parallelism {1}")
  @MethodSource("parallelisms")
  void rangesAreContiguousNonEmptyCoverAllKeyGroupsAndAgreeWithSubtaskOf(int maxP, int p) {
    int expectedStart = 0;
    for (int i = 0; i < p; i++) {
      int start = KeyGroups.rangeStart(i, maxP, p);
      int end = KeyGroups.rangeEnd(i, maxP, p);
      assertThat(start).as("start of subtask %d", i).isEqualTo(expectedStart);
      assertThat(end).as("end of subtask %d", i).isGreaterThanOrEqualTo(start);
      for (int kg = start; kg <= end; kg++) {
        assertThat(KeyGroups.subtaskOf(kg, maxP, p)).as("owner of key group %d", kg).isEqualTo(i);
      }
      expectedStart = end + 1;
    }
    assertThat(expectedStart).as("first key group after the last range").isEqualTo(maxP);
  }

  @ParameterizedTest(name = "maxParallelism {0}, parallelism {1}")
  @MethodSource("parallelisms")
  void rangeSizesDifferByAtMostOne(int maxP, int p) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < p; i++) {
      int size = KeyGroups.rangeEnd(i, maxP, p) - KeyGroups.rangeStart(i, maxP, p) + 1;
      min = Math.min(min, size);
      max = Math.max(max, size);
    }
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 128, 32768})
  void keyGroupIsInRangeForAnyHashCodeAndDeterministic(int maxP) {
    Object[] keys = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, "", "Élan", Long.MIN_VALUE,
        new HashCode(Integer.MIN_VALUE), new HashCode(-7)};
    for (Object key : keys) {
      int kg = KeyGroups.keyGroupOf(key, maxP);
      assertThat(kg).as("key group of %s", key).isBetween(0, maxP - 1);
      assertThat(KeyGroups.keyGroupOf(key, maxP)).isEqualTo(kg);
    }
  }

  @org.junit.jupiter.api.Test
  void keyGroupDependsOnlyOnTheHashCode() {
    assertThat(KeyGroups.keyGroupOf(new HashCode("abc".hashCode()), 128))
        .isEqualTo(KeyGroups.keyGroupOf("abc", 128));
    assertThat(KeyGroups.keyGroupOf(new HashCode(42), 128)).isEqualTo(KeyGroups.keyGroupOf(42, 128));
  }

  @org.junit.jupiter.api.Test
  void consecutiveIntegerKeysSpreadOverEveryKeyGroup() {
    Set<Integer> used = new HashSet<>();
    int[] perGroup = new int[128];
    for (int k = 0; k < 12_800; k++) {
      int kg = KeyGroups.keyGroupOf(k, 128);
      used.add(kg);
      perGroup[kg]++;
    }
    assertThat(used).hasSize(128);
    // a mixing hash: no key group gets more than three times its fair share of 100
    assertThat(java.util.Arrays.stream(perGroup).max().orElseThrow()).isLessThan(300);
  }

  /** A key with a chosen hash code. */
  record HashCode(int h) {
    @Override
    public int hashCode() {
      return h;
    }
  }
}
