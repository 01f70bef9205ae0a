package io.eddy.joins;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.BroadcastProcessFunction;
import io.eddy.api.KeyedCoProcessFunction;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.ProcessJoinFunction;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.config.JobConfig;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkWriter;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.graph.JobDefinition;
import io.eddy.time.TumblingWindows;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Window join, interval join, keyed connect and broadcast connect against plain oracles. */
@Timeout(120)
class JoinTest {
  record Order(int key, int id, long ts) {}

  record Payment(int key, int id, long ts) {}

  record Pair(int orderId, int paymentId) {}

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Events with timestamps rising about 1 ms each, out of order by up to 20 ms. */
  static <T> List<T> events(int n, long seed, EventMaker<T> make) {
    Random r = new Random(seed);
    List<T> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(make.make(r.nextInt(20), i, 1_000L + i + r.nextInt(20)));
    }
    return list;
  }

  interface EventMaker<T> {
    T make(int key, int id, long ts);
  }

  private List<Object> run(int parallelism, boolean serialize, StreamJob job) throws Exception {
    String json = "{\"job\":\"joins.Test\",\"parallelism\":" + parallelism
        + ",\"frame\":{\"serializeLocal\":" + serialize + ",\"maxRecords\":64}}";
    JobResult r = new JobCoordinator(vertx, new JobDefinition(JobConfig.parse(json, "join test"), job)).run()
        .toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.error()).isEqualTo(JobStatus.FINISHED);
    return new ArrayList<>(QUEUES.get(job));
  }

  private static final Map<StreamJob, ConcurrentLinkedQueue<Object>> QUEUES = Collections.synchronizedMap(new HashMap<>());

  static <T> Sink<T> collect(ConcurrentLinkedQueue<Object> out) {
    return ctx -> new SinkWriter<>() {
      @Override
      public void write(T record, long timestamp) {
        out.add(record);
      }

      @Override
      public Future<Void> finish() {
        return Future.succeededFuture();
      }
    };
  }

  private static Map<Object, Integer> multiset(List<?> l) {
    Map<Object, Integer> m = new HashMap<>();
    l.forEach(x -> m.merge(x, 1, Integer::sum));
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void windowJoinPairsEveryOrderWithEveryPaymentOfItsKeyAndWindow(int p) throws Exception {
    List<Order> orders = events(3000, 1, Order::new);
    List<Payment> payments = events(2000, 2, Payment::new);
    ConcurrentLinkedQueue<Object> out = new ConcurrentLinkedQueue<>();
    StreamJob job = (pipeline, params) -> {
      var o = pipeline.source(CollectionSource.withTimestamps(orders, Order::ts))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofMillis(25)));
      var pay = pipeline.source(CollectionSource.withTimestamps(payments, Payment::ts))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Payment>forBoundedOutOfOrderness(Duration.ofMillis(25)));
      o.join(pay).where(Order::key).equalTo(Payment::key)
          .window(TumblingWindows.eventTime(Duration.ofMillis(100)))
          .apply((a, b) -> new Pair(a.id(), b.id()))
          .sink(collect(out));
    };
    QUEUES.put(job, out);
    List<Object> got = run(p, p == 2, job);

    List<Pair> expected = new ArrayList<>();
    for (Order a : orders) {
      for (Payment b : payments) {
        if (a.key() == b.key() && a.ts() / 100 == b.ts() / 100) {
          expected.add(new Pair(a.id(), b.id()));
        }
      }
    }
    assertThat(expected).isNotEmpty();
    assertThat(multiset(got)).isEqualTo(multiset(expected));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void intervalJoinPairsPaymentsWithinTheBoundsOfEachOrder(int p) throws Exception {
    List<Order> orders = events(3000, 3, Order::new);
    List<Payment> payments = events(3000, 4, Payment::new);
    ConcurrentLinkedQueue<Object> out = new ConcurrentLinkedQueue<>();
    StreamJob job = (pipeline, params) -> {
      var o = pipeline.source(CollectionSource.withTimestamps(orders, Order::ts))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofMillis(25)));
      var pay = pipeline.source(CollectionSource.withTimestamps(payments, Payment::ts))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Payment>forBoundedOutOfOrderness(Duration.ofMillis(25)));
      o.keyBy(Order::key).intervalJoin(pay.keyBy(Payment::key))
          .between(Duration.ofMillis(-5), Duration.ofMillis(10))
          .process(new ProcessJoinFunction<Order, Payment, Pair>() {
            @Override
            public void processElement(Order a, Payment b, Collector<Pair> c) {
              c.collect(new Pair(a.id(), b.id()));
            }
          })
          .sink(collect(out));
    };
    QUEUES.put(job, out);
    List<Object> got = run(p, p == 4, job);

    List<Pair> expected = new ArrayList<>();
    for (Order a : orders) {
      for (Payment b : payments) {
        if (a.key() == b.key() && b.ts() >= a.ts() - 5 && b.ts() <= a.ts() + 10) {
          expected.add(new Pair(a.id(), b.id()));
        }
      }
    }
    assertThat(expected).isNotEmpty();
    assertThat(multiset(got)).isEqualTo(multiset(expected));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void keyedConnectSharesStateAcrossBothInputs(int p) throws Exception {
    List<Order> orders = events(2000, 5, Order::new);
    List<Payment> payments = events(1500, 6, Payment::new);
    ConcurrentLinkedQueue<Object> out = new ConcurrentLinkedQueue<>();
    StreamJob job = (pipeline, params) -> {
      var o = pipeline.source(CollectionSource.of(orders));
      var pay = pipeline.source(CollectionSource.of(payments));
      o.connect(pay).keyBy(Order::key, Payment::key)
          .process(new KeyedCoProcessFunction<Integer, Order, Payment, String>() {
            private ValueState<long[]> counts;

            @Override
            public void open(RuntimeContext context) {
              counts = context.keyedState().getState(new ValueStateDescriptor<>("counts", long[].class));
            }

            private long[] counts(KeyedProcessFunction.Context<Integer> ctx) {
              long[] c = counts.value();
              if (c == null) {
                c = new long[2];
                counts.update(c);
                ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
              }
              return c;
            }

            @Override
            public void processElement1(Order v, KeyedProcessFunction.Context<Integer> ctx, Collector<String> c) {
              counts(ctx)[0]++;
            }

            @Override
            public void processElement2(Payment v, KeyedProcessFunction.Context<Integer> ctx, Collector<String> c) {
              counts(ctx)[1]++;
            }

            @Override
            public void onTimer(long ts, KeyedProcessFunction.Context<Integer> ctx, Collector<String> c) {
              long[] n = counts.value();
              c.collect(ctx.currentKey() + ":" + n[0] + ":" + n[1]);
            }
          })
          .sink(collect(out));
    };
    QUEUES.put(job, out);
    List<Object> got = run(p, false, job);

    Map<Integer, long[]> oracle = new HashMap<>();
    orders.forEach(o -> oracle.computeIfAbsent(o.key(), k -> new long[2])[0]++);
    payments.forEach(x -> oracle.computeIfAbsent(x.key(), k -> new long[2])[1]++);
    List<String> expected = new ArrayList<>();
    oracle.forEach((k, n) -> expected.add(k + ":" + n[0] + ":" + n[1]));
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void broadcastStateReachesEverySubtask(int p) throws Exception {
    // every rule must reach every subtask once and in order; orders are not duplicated by it
    List<Integer> rules = List.of(3, 7, 11);
    List<Order> orders = events(3000, 7, Order::new);
    ConcurrentLinkedQueue<Object> arrivals = new ConcurrentLinkedQueue<>();
    StreamJob counting = (pipeline, params) -> {
      var ruleStream = pipeline.source(CollectionSource.of(rules)).parallelism(1).broadcastStream();
      pipeline.source(CollectionSource.of(orders))
          .connect(ruleStream)
          .process(new BroadcastProcessFunction<Order, Integer, String>() {
            @Override
            public void processElement(Order o, ReadOnlyContext ctx, Collector<String> c) {
              c.collect("order");
            }

            @Override
            public void processBroadcastElement(Integer rule, Context ctx, Collector<String> c) {
              Map<Integer, Boolean> state = ctx.broadcastState("rules");
              state.put(rule, true);
              c.collect("rule " + rule + " known " + state.size());
            }
          })
          .sink(collect(arrivals));
    };
    QUEUES.put(counting, arrivals);
    List<Object> got = run(p, p > 1, counting);
    long orderCount = got.stream().filter("order"::equals).count();
    assertThat(orderCount).isEqualTo(orders.size());
    // every subtask saw every rule, in order, so each one's state grew 1, 2, 3
    List<Object> ruleLines = got.stream().filter(s -> !"order".equals(s)).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      for (int r = 0; r < rules.size(); r++) {
        expected.add("rule " + rules.get(r) + " known " + (r + 1));
      }
    }
    assertThat(ruleLines).containsExactlyInAnyOrderElementsOf(expected);
  }
}
