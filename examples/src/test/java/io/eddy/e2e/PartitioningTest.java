package io.eddy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.DataStream;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.Collector;
import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.state.KeyGroups;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.CollectingSink.Arrival;
import io.eddy.testing.Jobs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where records go: by key, to everyone, round robin, and through a union. */
@Timeout(120)
class PartitioningTest {
  private static final int MAX_PARALLELISM = 128;

  /** A keyed record: each key's sequence numbers increase in the order the source emits them. */
  record Keyed(String key, int seq) {}

  /** Passes every record on; runs keyed, so it sits right after the hash exchange. */
  static final class PassOn extends KeyedProcessFunction<String, Keyed, Keyed> {
    @Override
    public void processElement(Keyed value, Context<String> ctx, Collector<Keyed> out) {
      if (!ctx.currentKey().equals(value.key())) {
        throw new IllegalStateException("current key " + ctx.currentKey() + " for record " + value);
      }
      out.collect(value);
    }
  }

  /** Exchange variants: local objects or serialized frames, small or default frames, chained or not. */
  static Stream<Arguments> exchanges() {
    return Stream.of(
        Arguments.of(false, 0, true),
        Arguments.of(true, 0, true),
        Arguments.of(false, 3, false),
        Arguments.of(true, 1, false));
  }

  private static JobConfig config(int parallelism, boolean serialize, int maxRecords, boolean chaining) {
    return Jobs.config("test.Partitioning", parallelism, chaining, Jobs.frame(maxRecords, serialize), null);
  }

  private static void assertFinished(JobResult r) {
    assertThat(r.status()).as("job error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
  }

  private static <T> Map<T, Long> multiset(Stream<T> s) {
    return s.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  @ParameterizedTest(name = "serializeLocal {0}, maxRecords {1} (0: default), chaining {2}")
  @MethodSource("exchanges")
  void keyByRoutesEachKeyToItsKeyGroupsSubtaskInOrder(boolean serialize, int maxRecords, boolean chaining)
      throws Exception {
    int parallelism = 3;
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < 60; k++) {
      keys.add("key-" + k);
    }
    keys.addAll(List.of("", "Élan", "東京", "𝔘𝔫𝔦"));
    Random random = new Random(7);
    Map<String, Integer> nextSeq = new HashMap<>();
    List<Keyed> input = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String key = keys.get(random.nextInt(keys.size()));
      input.add(new Keyed(key, nextSeq.merge(key, 1, Integer::sum)));
    }
    ConcurrentLinkedQueue<Arrival<Keyed>> arrivals = new ConcurrentLinkedQueue<>();

    JobResult r = Jobs.run(config(parallelism, serialize, maxRecords, chaining), (pipeline, params) ->
        pipeline.source("keyed", CollectionSource.of(input)).parallelism(1)
            .keyBy(Keyed::key)
            .process(new PassOn()).name("pass-on")
            .sink(new CollectingSink<>(arrivals)).name("collect"));

    assertFinished(r);
    assertThat(arrivals).hasSameSizeAs(input);
    assertThat(multiset(arrivals.stream().map(Arrival::record))).isEqualTo(multiset(input.stream()));
    Map<String, Set<Integer>> subtasksOfKey = new HashMap<>();
    Map<String, Integer> lastSeq = new HashMap<>();
    List<String> outOfOrder = new ArrayList<>();
    for (Arrival<Keyed> a : arrivals) {
      assertThat(a.parallelism()).isEqualTo(parallelism);
      String key = a.record().key();
      subtasksOfKey.computeIfAbsent(key, k -> new HashSet<>()).add(a.subtask());
      Integer last = lastSeq.put(key, a.record().seq());
      if (last != null && last >= a.record().seq()) {
        outOfOrder.add(key + ": " + a.record().seq() + " after " + last);
      }
    }
    assertThat(outOfOrder).as("per-key sequence numbers out of order").isEmpty();
    assertThat(subtasksOfKey).hasSize(keys.size());
    subtasksOfKey.forEach((key, subtasks) -> {
      int expected = KeyGroups.subtaskOf(KeyGroups.keyGroupOf(key, MAX_PARALLELISM), MAX_PARALLELISM, parallelism);
      assertThat(subtasks).as("subtasks that saw key '%s'", key).containsExactly(expected);
    });
    // with 64 keys over 3 subtasks, every subtask owns some (else the test would prove little)
    assertThat(subtasksOfKey.values().stream().flatMap(Set::stream).distinct()).hasSize(parallelism);
  }

  @ParameterizedTest(name = "serializeLocal {0}, maxRecords {1} (0: default), chaining {2}")
  @MethodSource("exchanges")
  void broadcastDeliversEveryRecordToEverySubtaskExactlyOnce(boolean serialize, int maxRecords, boolean chaining)
      throws Exception {
    List<Integer> input = IntStream.range(0, 3_000).boxed().toList();
    ConcurrentLinkedQueue<Arrival<Integer>> arrivals = new ConcurrentLinkedQueue<>();

    JobResult r = Jobs.run(config(2, serialize, maxRecords, chaining), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(input))
            .broadcast()
            .sink(new CollectingSink<>(arrivals)).name("collect").parallelism(3));

    assertFinished(r);
    Map<Integer, List<Integer>> bySubtask = arrivals.stream().collect(
        Collectors.groupingBy(Arrival::subtask, Collectors.mapping(Arrival::record, Collectors.toList())));
    assertThat(bySubtask).containsOnlyKeys(0, 1, 2);
    bySubtask.forEach((subtask, records) ->
        assertThat(records).as("records of subtask %d", subtask).containsExactlyInAnyOrderElementsOf(input));
  }

  @ParameterizedTest(name = "serializeLocal {0}, maxRecords {1} (0: default), chaining {2}")
  @MethodSource("exchanges")
  void rebalanceSpreadsRecordsEvenlyRoundRobin(boolean serialize, int maxRecords, boolean chaining)
      throws Exception {
    List<Integer> input = IntStream.range(0, 10_000).boxed().toList();
    ConcurrentLinkedQueue<Arrival<Integer>> arrivals = new ConcurrentLinkedQueue<>();

    JobResult r = Jobs.run(config(2, serialize, maxRecords, chaining), (pipeline, params) ->
        pipeline.source("numbers", CollectionSource.of(input)).parallelism(1)
            .rebalance()
            .sink(new CollectingSink<>(arrivals)).name("collect").parallelism(4));

    assertFinished(r);
    assertThat(arrivals.stream().map(Arrival::record)).containsExactlyInAnyOrderElementsOf(input);
    Map<Integer, Long> perSubtask = multiset(arrivals.stream().map(Arrival::subtask));
    assertThat(perSubtask).containsOnlyKeys(0, 1, 2, 3);
    perSubtask.forEach((subtask, n) -> assertThat(n).as("records of subtask %d", subtask).isBetween(2_499L, 2_501L));
  }

  @ParameterizedTest(name = "serializeLocal {0}, maxRecords {1} (0: default), chaining {2}")
  @MethodSource("exchanges")
  void unionDeliversTheMultisetUnionOfItsInputs(boolean serialize, int maxRecords, boolean chaining)
      throws Exception {
    List<String> a = IntStream.range(0, 2_000).mapToObj(i -> "a" + (i % 700)).toList(); // with duplicates
    List<String> b = IntStream.range(0, 1_500).mapToObj(i -> "b" + i).toList();
    List<String> c = IntStream.range(0, 500).mapToObj(i -> "a" + i).toList(); // overlaps a
    ConcurrentLinkedQueue<Arrival<String>> arrivals = new ConcurrentLinkedQueue<>();

    JobResult r = Jobs.run(config(2, serialize, maxRecords, chaining), (pipeline, params) -> {
      DataStream<String> sa = pipeline.source("a", CollectionSource.of(a));
      DataStream<String> sb = pipeline.source("b", CollectionSource.of(b)).parallelism(1);
      DataStream<String> sc = pipeline.source("c", CollectionSource.of(c)).parallelism(3);
      sa.union(sb, sc).name("all")
          .sink(new CollectingSink<>(arrivals)).name("collect").parallelism(3);
    });

    assertFinished(r);
    Map<String, Long> expected = multiset(Stream.of(a, b, c).flatMap(List::stream));
    assertThat(multiset(arrivals.stream().map(Arrival::record))).isEqualTo(expected);
  }
}
