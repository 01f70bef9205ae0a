package io.eddy.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.DataStream;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.Pipeline;
import io.eddy.api.function.Collector;
import io.eddy.connector.Sink;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionPlanTest {

  /** A source that is never run: planning only looks at the graph. */
  static final class NoSource<T> implements Source<T> {
    private final Class<T> type;

    NoSource(Class<T> type) {
      this.type = type;
    }

    @Override
    public java.lang.reflect.Type producedType() {
      return type;
    }

    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("planning only");
    }

    @Override
    public SourceReader<T> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("planning only");
    }
  }

  static <T> Sink<T> noSink() {
    return context -> {
      throw new UnsupportedOperationException("planning only");
    };
  }

  static final class Forward extends KeyedProcessFunction<Integer, Integer, Integer> {
    @Override
    public void processElement(Integer value, Context<Integer> ctx, Collector<Integer> out) {
      out.collect(value);
    }
  }

  private static List<String> chainNames(JobVertex v) {
    return v.chain().stream().map(Transform::name).toList();
  }

  @Test
  void sourceMapFilterSinkAtEqualParallelismFuseIntoOneVertex() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class))
        .map(x -> x + 1).name("plus")
        .filter(x -> x > 0).name("positive")
        .sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 3, 128);

    assertThat(plan.vertices()).hasSize(1);
    JobVertex v = plan.vertex(0);
    assertThat(chainNames(v)).containsExactly("src", "plus", "positive", "out");
    assertThat(v.parallelism()).isEqualTo(3);
    assertThat(v.isSource()).isTrue();
    assertThat(v.name()).isEqualTo("src -> plus -> positive -> out");
    assertThat(plan.edges()).isEmpty();
    assertThat(plan.subtaskCount()).isEqualTo(3);
  }

  @Test
  void keyBySplitsTheChainWithAHashEdgeCarryingTheKeySelector() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class))
        .map(x -> x * 2).name("double")
        .keyBy(x -> x % 10)
        .process(new Forward()).name("per-key")
        .sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).hasSize(2);
    assertThat(chainNames(plan.vertex(0))).containsExactly("src", "double");
    assertThat(chainNames(plan.vertex(1))).containsExactly("per-key", "out");
    assertThat(plan.edges()).hasSize(1);
    JobEdge e = plan.edges().get(0);
    assertThat(e.partitioning()).isEqualTo(Partitioning.HASH);
    assertThat(e.key()).isNotNull();
    assertThat(e.source()).isSameAs(plan.vertex(0));
    assertThat(e.target()).isSameAs(plan.vertex(1));
    assertThat(e.channelsPerReceiver()).isEqualTo(2);
    assertThat(plan.vertex(0).outputs()).containsExactly(e);
    assertThat(plan.vertex(1).inputs()).containsExactly(e);
  }

  @Test
  void forwardEdgeBetweenDifferentParallelismsBecomesRebalance() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class)).parallelism(1)
        .map(x -> x).name("m").parallelism(4)
        .sink(noSink()).name("out").parallelism(4);

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).extracting(JobVertex::parallelism).containsExactly(1, 4);
    assertThat(chainNames(plan.vertex(1))).containsExactly("m", "out");
    assertThat(plan.edges()).singleElement()
        .satisfies(e -> {
          assertThat(e.partitioning()).isEqualTo(Partitioning.REBALANCE);
          assertThat(e.channelsPerReceiver()).isEqualTo(1);
        });
    assertThat(plan.subtaskCount()).isEqualTo(5);
  }

  @Test
  void explicitRebalanceAndBroadcastAtEqualParallelismAreNotChained() {
    Pipeline p = new Pipeline();
    DataStream<Integer> src = p.source("src", new NoSource<>(Integer.class));
    src.rebalance().map(x -> x).name("r").broadcast().sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).hasSize(3);
    assertThat(plan.edges()).extracting(JobEdge::partitioning)
        .containsExactly(Partitioning.REBALANCE, Partitioning.BROADCAST);
  }

  @Test
  void chainingOffGivesOneVertexPerTransformWithForwardEdges() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class))
        .map(x -> x + 1).name("plus")
        .filter(x -> x > 0).name("positive")
        .sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128, false);

    assertThat(plan.vertices()).hasSize(4);
    assertThat(plan.vertices()).allSatisfy(v -> assertThat(v.chain()).hasSize(1));
    assertThat(plan.vertices()).extracting(JobVertex::name)
        .containsExactly("src", "plus", "positive", "out");
    assertThat(plan.edges()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JobEdge e = plan.edges().get(i);
      assertThat(e.partitioning()).isEqualTo(Partitioning.FORWARD);
      assertThat(e.source().id()).isEqualTo(i);
      assertThat(e.target().id()).isEqualTo(i + 1);
      assertThat(e.channelsPerReceiver()).isEqualTo(1);
    }
    assertThat(plan.subtaskCount()).isEqualTo(8);
  }

  @Test
  void aTransformWithTwoConsumersEndsItsChain() {
    Pipeline p = new Pipeline();
    DataStream<Integer> src = p.source("src", new NoSource<>(Integer.class));
    src.map(x -> x).name("a").sink(noSink()).name("outA");
    src.map(x -> -x).name("b").sink(noSink()).name("outB");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).extracting(ExecutionPlanTest::chainNames)
        .containsExactly(List.of("src"), List.of("a", "outA"), List.of("b", "outB"));
    assertThat(plan.edges()).hasSize(2).allSatisfy(e -> {
      assertThat(e.partitioning()).isEqualTo(Partitioning.FORWARD);
      assertThat(e.source().id()).isZero();
    });
    assertThat(plan.vertex(0).outputs()).hasSize(2);
  }

  @Test
  void unionIsAVertexWithOneInputEdgePerStreamInOrder() {
    Pipeline p = new Pipeline();
    DataStream<Integer> a = p.source("a", new NoSource<>(Integer.class));
    DataStream<Integer> b = p.source("b", new NoSource<>(Integer.class)).parallelism(3);
    a.union(b).name("u").sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).extracting(ExecutionPlanTest::chainNames)
        .containsExactly(List.of("a"), List.of("b"), List.of("u", "out"));
    JobVertex u = plan.vertex(2);
    assertThat(u.inputs()).extracting(JobEdge::inputIndex).containsExactly(0, 1);
    assertThat(u.inputs()).extracting(e -> e.source().name()).containsExactly("a", "b");
    // a (p=2) -> u (p=2) stays forward; b (p=3) -> u (p=2) must rebalance
    assertThat(u.inputs()).extracting(JobEdge::partitioning)
        .containsExactly(Partitioning.FORWARD, Partitioning.REBALANCE);
    assertThat(u.inputs()).extracting(JobEdge::channelsPerReceiver).containsExactly(1, 3);
  }

  @Test
  void planIsDeterministicForEqualGraphs() {
    String[] plans = new String[2];
    for (int i = 0; i < 2; i++) {
      Pipeline p = new Pipeline();
      p.source("src", new NoSource<>(Integer.class))
          .map(x -> x).name("m")
          .keyBy(x -> x)
          .process(new Forward()).name("k").parallelism(3)
          .sink(noSink()).name("out");
      plans[i] = ExecutionPlan.of(p.graph(), 2, 128).toString();
    }
    assertThat(plans[0]).isEqualTo(plans[1]).contains("HASH");
  }

  @Test
  void parallelismAboveMaxParallelismIsRejectedNamingTheOperator() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class)).map(x -> x).name("wide").parallelism(9)
        .sink(noSink());
    assertThatThrownBy(() -> ExecutionPlan.of(p.graph(), 1, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'wide'")
        .hasMessageContaining("9");
  }

  @Test
  void emptyGraphIsRejected() {
    assertThatThrownBy(() -> ExecutionPlan.of(new Pipeline().graph(), 1, 128))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAsyncMapStartsAChainAndWhatFollowsItChainsToIt() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class))
        .map(x -> x + 1).name("plus")
        .asyncMap(x -> io.vertx.core.Future.succeededFuture(x * 2), io.eddy.api.AsyncOrder.ORDERED, 4,
            java.time.Duration.ofSeconds(1)).name("enrich").returns(Integer.class) // a lambda's Future<R> is erased
        .filter(x -> x > 0).name("positive")
        .sink(noSink()).name("out");

    ExecutionPlan plan = ExecutionPlan.of(p.graph(), 2, 128);

    assertThat(plan.vertices()).hasSize(2);
    assertThat(chainNames(plan.vertex(0))).containsExactly("src", "plus");
    assertThat(chainNames(plan.vertex(1))).containsExactly("enrich", "positive", "out");
    assertThat(plan.edges()).singleElement().extracting(JobEdge::partitioning).isEqualTo(Partitioning.FORWARD);
  }

  @Test
  void anAsyncMapWithABadCapacityOrTimeoutIsRefusedNamingIt() {
    Pipeline p = new Pipeline();
    p.source("src", new NoSource<>(Integer.class))
        .asyncMap(x -> io.vertx.core.Future.succeededFuture(x), io.eddy.api.AsyncOrder.UNORDERED, 0,
            java.time.Duration.ofSeconds(1)).name("enrich")
        .sink(noSink());
    assertThatThrownBy(() -> ExecutionPlan.of(p.graph(), 1, 128))
        .hasMessage("operator 'enrich': capacity must be between 1 and 65536, got 0");

    Pipeline q = new Pipeline();
    q.source("src", new NoSource<>(Integer.class))
        .asyncMap(x -> io.vertx.core.Future.succeededFuture(x), io.eddy.api.AsyncOrder.UNORDERED, 10,
            java.time.Duration.ZERO).name("enrich")
        .sink(noSink());
    assertThatThrownBy(() -> ExecutionPlan.of(q.graph(), 1, 128))
        .hasMessage("operator 'enrich': timeout must be at least 1 ms, got 0 ms");
  }
}
