package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BadRecordPolicy;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.config.JobConfig;
import io.eddy.graph.Specs;
import io.eddy.time.TumblingWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StreamOperator#yieldIfOutputFull} with the aligned window operator as the runtime creates
 * it (through {@link OperatorFactory} from a tumbling event-time window spec), hosted by
 * {@link OperatorTestHost}: the output is made full after every {@code k} results, and the test
 * resumes the operator as the task does, by running what it queued once there is room again.
 */
class WindowFiringYieldTest {
  private static final long SIZE = 100;
  private final List<OperatorTestHost> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() throws Exception {
    for (OperatorTestHost h : hosts) {
      h.close();
    }
  }

  record Event(String key, long value) {}

  /** Sums values per key; the result names the key, so the oracle can check each window's keys. */
  static final class SumPerKey implements AggregateFunction<Event, long[], String> {
    private final Map<long[], String> keyOf = new java.util.IdentityHashMap<>();

    @Override
    public long[] createAccumulator() {
      return new long[] {0};
    }

    @Override
    public long[] add(Event value, long[] acc) {
      keyOf.put(acc, value.key());
      acc[0] += value.value();
      return acc;
    }

    @Override
    public String getResult(long[] acc) {
      return keyOf.get(acc) + "=" + acc[0];
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0]};
    }
  }

  /** The output of the operator: records "result@timestamp", "w<watermark>", "end". */
  final class FillingOutput implements Output<Object> {
    final List<String> out = Collections.synchronizedList(new ArrayList<>());
    final OperatorTestHost host;
    final int k;
    int sinceRoom; // results since the output last had room

    FillingOutput(OperatorTestHost host, int k) {
      this.host = host;
      this.k = k;
    }

    @Override
    public void collect(Object record, long timestamp) {
      assertThat(host.outputFull).as("an operator emits nothing once told its output is full").isFalse();
      out.add(record + "@" + timestamp);
      if (++sinceRoom == k) {
        host.outputFull = true; // the k-th result filled the output
      }
    }

    @Override
    public void watermark(long watermark) {
      out.add("w" + watermark);
    }

    @Override
    public void endOfInput() {
      out.add("end");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private StreamOperator<Object, Object> windowOperator(OperatorTestHost h, FillingOutput output) throws Exception {
    KeySelector<Event, String> key = Event::key;
    Specs.WindowSpec spec = new Specs.WindowSpec(key, TumblingWindows.eventTime(Duration.ofMillis(SIZE)), null, 0,
        null, new SumPerKey(), null, false);
    StreamOperator<Object, Object> op = OperatorFactory.create(spec, JobConfig.parse("{\"job\": \"test.Job\"}", "test"));
    assertThat(op.getClass().getSimpleName()).isEqualTo("AlignedWindowOperator");
    ((StreamOperator) op).setup(new OperatorContext(h, "sums", spec.kind(), Map.of()), output);
    h.run(op::open);
    return op;
  }

  /** Gives the output room and runs what yielded, as the task does on credit; false when nothing had yielded. */
  private boolean room(OperatorTestHost h, FillingOutput output) throws Exception {
    return h.call(() -> {
      if (h.yielded.isEmpty()) {
        return false;
      }
      assertThat(output.sinceRoom).as("the operator yielded right after the output filled").isEqualTo(output.k);
      List<Runnable> resume = new ArrayList<>(h.yielded);
      h.yielded.clear();
      h.outputFull = false;
      output.sinceRoom = 0;
      resume.forEach(Runnable::run);
      return true;
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 250})
  void aWindowFiringManyKeysYieldsAndResumesWithTheSameWatermark(int k) throws Exception {
    OperatorTestHost h = new OperatorTestHost(BadRecordPolicy.FAIL);
    hosts.add(h);
    FillingOutput output = new FillingOutput(h, k);
    StreamOperator<Object, Object> op = windowOperator(h, output);
    Random random = new Random(k);
    // three windows, [0, 100), [100, 200), [200, 300), each with many keys; the oracle sums per window and key
    Map<Long, Map<String, Long>> oracle = new TreeMap<>();
    List<Event> events = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      long ts = random.nextInt(300);
      Event e = new Event("key-" + random.nextInt(1500), random.nextInt(1000));
      events.add(e);
      times.add(ts);
      oracle.computeIfAbsent(ts / SIZE * SIZE, w -> new HashMap<>()).merge(e.key(), e.value(), Long::sum);
    }
    h.run(() -> {
      for (int i = 0; i < events.size(); i++) {
        op.collect(events.get(i), times.get(i));
      }
    });
    assertThat(output.out).isEmpty();

    // the watermark 199 fires the first two windows
    h.run(() -> op.watermark(199));
    int yields = 0;
    while (room(h, output)) {
      yields++;
      if (h.call(() -> !h.yielded.isEmpty())) {
        assertThat(output.out).as("the watermark waits for the firing").doesNotContain("w199");
      }
    }
    List<String> expected = new ArrayList<>();
    for (long w : List.of(0L, 100L)) {
      oracle.get(w).forEach((key, sum) -> expected.add(key + "=" + sum + "@" + (w + SIZE - 1)));
    }
    int results = expected.size();
    assertThat(yields).as("the output filled after every " + k + " results").isEqualTo(results / k);
    assertThat(output.out.subList(0, results)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(output.out.subList(results, output.out.size())).containsExactly("w199");

    // the end of input: the final watermark fires the last window, the end arrives while it yields
    output.out.clear();
    h.run(() -> op.watermark(Long.MAX_VALUE));
    boolean yielded = h.call(() -> !h.yielded.isEmpty());
    h.run(op::endOfInput);
    assertThat(yielded).as("the last window has more than " + k + " keys").isTrue();
    while (room(h, output)) {
      if (h.call(() -> !h.yielded.isEmpty())) {
        assertThat(output.out).doesNotContain("w" + Long.MAX_VALUE, "end");
      }
    }
    List<String> last = new ArrayList<>();
    oracle.get(200L).forEach((key, sum) -> last.add(key + "=" + sum + "@" + (200 + SIZE - 1)));
    assertThat(output.out.subList(0, last.size())).containsExactlyInAnyOrderElementsOf(last);
    assertThat(output.out.subList(last.size(), output.out.size())).containsExactly("w" + Long.MAX_VALUE, "end");
    assertThat(h.failure).isNull();
  }

  @Test
  void anOperatorWhoseOutputHasRoomFiresAtOnce() throws Exception {
    OperatorTestHost h = new OperatorTestHost(BadRecordPolicy.FAIL);
    hosts.add(h);
    FillingOutput output = new FillingOutput(h, Integer.MAX_VALUE);
    StreamOperator<Object, Object> op = windowOperator(h, output);
    Map<String, Long> sums = new HashMap<>();
    h.run(() -> {
      for (int i = 0; i < 3000; i++) {
        Event e = new Event("k" + (i % 700), i);
        sums.merge(e.key(), e.value(), Long::sum);
        op.collect(e, i % SIZE);
      }
      op.watermark(SIZE - 1);
    });
    List<String> expected = new ArrayList<>();
    sums.forEach((key, sum) -> expected.add(key + "=" + sum + "@" + (SIZE - 1)));
    assertThat(h.yielded).isEmpty();
    assertThat(output.out.subList(0, expected.size())).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(output.out.subList(expected.size(), output.out.size())).containsExactly("w" + (SIZE - 1));
  }
}
