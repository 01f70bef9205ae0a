package io.eddy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BadRecord;
import io.eddy.api.BadRecordPolicy;
import io.eddy.api.function.AsyncFunction;
import io.eddy.runtime.operators.AsyncWaitOperator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The async operator hosted on a real Vert.x event loop ({@link OperatorTestHost}), with requests
 * whose futures the test completes: pausing the input at capacity, the end of input waiting for
 * requests, timeouts under each bad-record policy, failures, and snapshots re-issued on restore,
 * also into a subtask whose capacity is smaller than what it restores.
 */
class AsyncWaitOperatorTest {
  private final List<OperatorTestHost> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() throws Exception {
    for (OperatorTestHost h : hosts) {
      h.close();
    }
  }

  /** A function whose requests wait for the test; it records the inputs in the order issued. */
  static final class Pending implements AsyncFunction<String, String> {
    final Map<String, Promise<String>> requests = new ConcurrentHashMap<>();
    final List<String> issued = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Future<String> asyncInvoke(String input) {
      Promise<String> p = Promise.promise();
      requests.put(input, p);
      issued.add(input);
      return p.future();
    }

    /** Completes from the test's thread: the result reaches the operator through its event loop. */
    void answer(String input) {
      requests.get(input).complete(input.toUpperCase());
    }
  }

  private OperatorTestHost host(BadRecordPolicy policy) throws Exception {
    OperatorTestHost h = new OperatorTestHost(policy);
    hosts.add(h);
    return h;
  }

  private AsyncWaitOperator<String, String> operator(OperatorTestHost h, AsyncFunction<String, String> f,
      boolean ordered, int capacity, long timeoutMillis) throws Exception {
    AsyncWaitOperator<String, String> op = new AsyncWaitOperator<>(f, ordered, capacity, timeoutMillis);
    h.setUp(op, "enrich");
    return op;
  }

  @Test
  void aFullCapacityPausesTheInputUntilARequestCompletes() throws Exception {
    OperatorTestHost h = host(BadRecordPolicy.FAIL);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, true, 2, 60_000);
    h.run(op::open);

    h.run(() -> op.collect("a", 1));
    assertThat(h.paused).isFalse();
    h.run(() -> op.collect("b", 2));
    assertThat(h.paused).as("two requests in flight at capacity 2").isTrue();

    f.answer("b");
    h.await("b's result arrived", () -> f.requests.get("b").future().isComplete());
    assertThat(h.call(() -> h.paused)).as("b waits for a in ordered mode: still two slots taken").isTrue();
    assertThat(h.out).isEmpty();

    f.answer("a");
    h.await("the input resumed", () -> !h.paused);
    assertThat(h.out).containsExactly("A@1", "B@2");
    assertThat(h.metric("max.enrich.inFlight")).isEqualTo(2);
  }

  @Test
  void theEndOfInputWaitsForEveryRequestAndWatermarksKeepTheirPlace() throws Exception {
    OperatorTestHost h = host(BadRecordPolicy.FAIL);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, false, 10, 60_000);
    h.run(op::open);
    h.run(() -> {
      op.collect("a", 1);
      op.collect("b", 2);
      op.watermark(5);
      op.collect("c", 6);
      op.watermark(Long.MAX_VALUE);
      op.endOfInput();
    });
    assertThat(h.finishWork).as("the task is held until the requests complete").hasSize(1);
    assertThat(h.out).isEmpty();

    f.answer("c");
    f.answer("b");
    h.await("b out", () -> h.out.contains("B@2"));
    assertThat(h.out).as("c may not pass the watermark before it").containsExactly("B@2");
    f.answer("a");
    h.await("the end passed on", () -> h.out.contains("end"));

    assertThat(h.out).containsExactly("B@2", "A@1", "w5", "C@6", "w" + Long.MAX_VALUE, "end");
    assertThat(h.finishWork.get(0).succeeded()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"FAIL", "SKIP", "DEAD_LETTER"})
  void aTimedOutRequestFollowsThePolicyAndItsLateResultIsIgnored(String policyName) throws Exception {
    BadRecordPolicy policy = BadRecordPolicy.valueOf(policyName);
    OperatorTestHost h = host(policy);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, true, 4, 50);
    h.run(op::open);
    h.run(() -> {
      op.collect("slow", 1);
      op.collect("fast", 2);
    });
    f.answer("fast");

    if (policy == BadRecordPolicy.FAIL) {
      h.await("the task failed", () -> h.failure != null);
      assertThat(h.failure).hasMessageContaining("operator 'enrich'")
          .hasMessageContaining("request timed out after 50 ms (record: slow)");
      return;
    }
    h.await("fast emitted after slow timed out", () -> h.out.contains("FAST@2"));
    f.answer("slow"); // too late
    h.run(() -> op.collect("next", 3));
    f.answer("next");
    h.await("next emitted", () -> h.out.contains("NEXT@3"));

    assertThat(h.failure).isNull();
    assertThat(h.out).containsExactly("FAST@2", "NEXT@3");
    assertThat(h.metric("enrich.badRecords")).isEqualTo(1);
    if (policy == BadRecordPolicy.DEAD_LETTER) {
      assertThat(h.dead).containsExactly(new BadRecord("enrich", "slow", "request timed out after 50 ms"));
    } else {
      assertThat(h.dead).isEmpty();
    }
  }

  @Test
  void aFailedRequestOrAThrowingFunctionFailsTheTaskNamingTheRecord() throws Exception {
    OperatorTestHost h = host(BadRecordPolicy.SKIP);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, true, 4, 60_000);
    h.run(op::open);
    h.run(() -> op.collect("x", 1));
    f.requests.get("x").fail(new IllegalStateException("service said 503"));
    h.await("the task failed", () -> h.failure != null);
    assertThat(h.failure).hasMessageContaining("operator 'enrich'")
        .hasMessageContaining("the request for record x failed: java.lang.IllegalStateException: service said 503");

    OperatorTestHost h2 = host(BadRecordPolicy.SKIP);
    AsyncWaitOperator<String, String> throwing = operator(h2, in -> {
      throw new IllegalArgumentException("no " + in);
    }, true, 4, 60_000);
    h2.run(throwing::open);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h2.run(() -> throwing.collect("y", 1)))
        .hasMessageContaining("the async function threw for record y: java.lang.IllegalArgumentException: no y");
  }

  @Test
  void resultsCompletedAtOnceNeedNoSlotAndKeepTheirOrder() throws Exception {
    OperatorTestHost h = host(BadRecordPolicy.FAIL);
    AsyncWaitOperator<String, String> op = operator(h, in -> Future.succeededFuture(in + "!"), true, 1, 60_000);
    h.run(op::open);
    h.run(() -> {
      for (int i = 0; i < 1000; i++) {
        op.collect("r" + i, i);
      }
    });
    assertThat(h.paused).isFalse();
    assertThat(h.out).hasSize(1000).startsWith("r0!@0", "r1!@1").endsWith("r999!@999");
  }

  /** Takes a snapshot of {@code op} on its host and returns its in-flight entries. */
  private static List<byte[]> snapshot(OperatorTestHost h, AsyncWaitOperator<String, String> op) throws Exception {
    return h.call(() -> {
      OperatorSnapshot s = new OperatorSnapshot(7);
      op.snapshotState(s);
      assertThat(s.operatorStates()).containsOnlyKeys("inFlight");
      assertThat(s.operatorStates().get("inFlight").union()).as("split on restore").isFalse();
      return s.operatorStates().get("inFlight").entries();
    });
  }

  private static OperatorRestore restoreOf(List<byte[]> entries) {
    return new OperatorRestore(7, List.of(), Map.of("inFlight", entries));
  }

  @Test
  void aRestoreReissuesTheRequestsInFlightInOrderBeforeNewInput() throws Exception {
    OperatorTestHost h = host(BadRecordPolicy.FAIL);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, true, 8, 60_000);
    h.run(op::open);
    h.run(() -> {
      op.collect("a", 1);
      op.collect("b", 2);
      op.watermark(10);
      op.collect("c", 11);
    });
    f.answer("b"); // done, but waiting for a: still to be re-issued
    h.await("b answered", () -> f.requests.get("b").future().isComplete());
    List<byte[]> entries = snapshot(h, op);
    assertThat(entries).as("one entry: the subtask's whole queue").hasSize(1);

    OperatorTestHost h2 = host(BadRecordPolicy.FAIL);
    Pending f2 = new Pending();
    AsyncWaitOperator<String, String> restored = operator(h2, f2, true, 8, 60_000);
    h2.run(() -> {
      restored.restoreState(restoreOf(entries));
      restored.open();
    });
    assertThat(f2.issued).containsExactly("a", "b", "c");
    h2.run(() -> restored.collect("d", 12));
    for (String in : List.of("c", "d", "b", "a")) {
      f2.answer(in);
    }
    h2.await("all out", () -> h2.out.size() == 5);
    assertThat(h2.out).containsExactly("A@1", "B@2", "w10", "C@11", "D@12");
    assertThat(h2.metric("enrich.reissuedRequests")).isEqualTo(3);
  }

  @Test
  void queuesOfSeveralOldSubtasksRestoredIntoASmallerCapacityWaitForSlots() throws Exception {
    List<byte[]> entries = new ArrayList<>();
    for (String prefix : List.of("x", "y")) {
      OperatorTestHost h = host(BadRecordPolicy.FAIL);
      AsyncWaitOperator<String, String> op = operator(h, new Pending(), false, 8, 60_000);
      h.run(op::open);
      long base = prefix.equals("x") ? 100 : 0;
      h.run(() -> {
        op.collect(prefix + 1, base + 1);
        op.watermark(base + 5);
        op.collect(prefix + 2, base + 6);
        op.collect(prefix + 3, base + 7);
      });
      entries.addAll(snapshot(h, op));
    }

    OperatorTestHost h = host(BadRecordPolicy.FAIL);
    Pending f = new Pending();
    AsyncWaitOperator<String, String> op = operator(h, f, false, 2, 60_000);
    h.run(() -> {
      op.restoreState(restoreOf(entries));
      op.open();
    });
    assertThat(f.issued).as("only what the capacity allows").containsExactly("x1", "x2");
    assertThat(h.paused).as("no new input before the restored requests are issued").isTrue();

    List<String> order = List.of("x1", "x2", "x3", "y1", "y2", "y3");
    for (int i = 0; i < order.size(); i++) {
      String in = order.get(i);
      h.await(in + " issued", () -> f.issued.contains(in));
      f.answer(in);
    }
    h.await("all out", () -> h.out.size() == 7);
    assertThat(f.issued).containsExactlyElementsOf(order);
    assertThat(h.call(() -> h.paused)).isFalse();
    // the second queue's watermark (5) is behind the first's (105): only advances pass
    assertThat(h.out).containsExactly("X1@101", "w105", "X2@106", "X3@107", "Y1@1", "Y2@6", "Y3@7");
  }
}
