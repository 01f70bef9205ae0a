package io.eddy.asyncio;

import static io.eddy.testing.Checkpointing.assertSameMultiset;
import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.api.AsyncOrder;
import io.eddy.api.BadRecord;
import io.eddy.api.OutputTag;
import io.eddy.api.ProcessFunction;
import io.eddy.api.StreamJob;
import io.eddy.api.function.AsyncFunction;
import io.eddy.api.function.Collector;
import io.eddy.api.function.MapFunction;
import io.eddy.api.function.RichFunction;
import io.eddy.api.function.RuntimeContext;
import io.eddy.config.JobConfig;
import io.eddy.connectors.collection.CollectionSource;
import io.eddy.connectors.file.ExactlyOnceTextFileSink;
import io.eddy.connectors.generator.Bid;
import io.eddy.connectors.generator.BidGenerator;
import io.eddy.connectors.generator.BidSource;
import io.eddy.deployer.JobResult;
import io.eddy.deployer.JobStatus;
import io.eddy.examples.BidEnrichment;
import io.eddy.examples.BidEnrichment.EnrichedBid;
import io.eddy.testing.Checkpointing;
import io.eddy.testing.CollectingSink;
import io.eddy.testing.CollectingSink.Arrival;
import io.eddy.testing.Jobs;
import io.eddy.time.WatermarkGenerator;
import io.eddy.time.WatermarkOutput;
import io.eddy.time.WatermarkStrategy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Async I/O end to end: bids enriched from a real HTTP service ({@link AuctionService}, started
 * here) with the example's web-client lookup ({@link BidEnrichment}), checked against oracles
 * computed from the bid generator: the order of ordered mode, the watermark rule of unordered
 * mode, the capacity as the service sees it, timeouts under each bad-record policy, and a restore
 * that re-issues the requests in flight with exactly-once output.
 */
@Timeout(180)
class AsyncIoTest {
  @TempDir Path dir;

  /**
   * Runs the enrichment once before the tests: the first job and the first web-client requests
   * of a JVM pay for class loading, seconds on a busy machine, which the timeout tests would
   * otherwise count against their requests.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    try (AuctionService service = new AuctionService(a -> 0, a -> false)) {
      Queue<Arrival<EnrichedBid>> arrivals = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> BidEnrichment.enrich(pipeline.source("bids", new BidSource(200)),
              service.url(), AsyncOrder.ORDERED, 32, Duration.ofSeconds(60))
          .sink(new CollectingSink<>(arrivals)).name("collect");
      JobResult r = Jobs.run(config(2, "fail"), job);
      assertThat(r.status()).as("warm-up run: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertThat(arrivals).hasSize(200);
    }
  }

  static String oracleLine(long i) {
    Bid b = BidGenerator.bid(i);
    return new EnrichedBid(b.auction(), b.bidder(), b.price(), b.ts(),
        AuctionService.seller(b.auction()), AuctionService.category(b.auction())).line();
  }

  static List<String> oracle(long events) {
    return LongStream.range(0, events).mapToObj(AsyncIoTest::oracleLine).toList();
  }

  /** Varied answer delays (0-12 ms), so that requests complete out of their input order. */
  static long variedDelay(int auction) {
    return (auction * 7919L) % 13;
  }

  static JobConfig config(int parallelism, String badRecords) {
    return Checkpointing.parse(new JsonObject().put("name", "async-io").put("job", "test.AsyncIo")
        .put("parallelism", parallelism).put("badRecords", badRecords).put("watermarkIntervalMillis", 5));
  }

  @Test
  void orderedModeEmitsEachSubtasksBidsInTheirInputOrder() throws Exception {
    long events = 4000;
    try (AuctionService service = new AuctionService(AsyncIoTest::variedDelay, a -> false)) {
      Queue<Arrival<EnrichedBid>> arrivals = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> BidEnrichment.enrich(pipeline.source("bids", new BidSource(events)),
              service.url(), AsyncOrder.ORDERED, 16, Duration.ofSeconds(30))
          .sink(new CollectingSink<>(arrivals)).name("collect");

      JobResult r = Jobs.run(config(2, "fail"), job);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      Map<String, Long> indexOf = new HashMap<>();
      for (long i = 0; i < events; i++) {
        indexOf.put(oracleLine(i), i);
      }
      assertThat(indexOf).as("the oracle's lines identify their bid").hasSize((int) events);
      List<String> lines = arrivals.stream().map(a -> a.record().line()).toList();
      assertSameMultiset(lines, oracle(events));
      for (int subtask = 0; subtask < 2; subtask++) {
        int s = subtask;
        List<Long> order = arrivals.stream().filter(a -> a.subtask() == s)
            .map(a -> indexOf.get(a.record().line())).toList();
        assertThat(order).as("subtask %d emits its bids in input order", s).isSorted().doesNotHaveDuplicates();
      }
      assertThat(r.metric("max.enrich.inFlight")).isBetween(2L, 16L);
    }
  }

  /**
   * On every {@code n}-th record of a split, emits the watermark just below its timestamp (the
   * generator runs before the record is passed on: a watermark equal to it would make it late).
   */
  static final class EveryNth implements WatermarkGenerator<Long> {
    private final int n;
    private long seen;

    EveryNth(int n) {
      this.n = n;
    }

    @Override
    public void onEvent(Long record, long timestamp, WatermarkOutput output) {
      if (++seen % n == 0) {
        output.emitWatermark(timestamp - 1);
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }

  /** Asks the service about auction {@code v % 10000} and returns {@code v}. */
  static final class ValueLookup implements AsyncFunction<Long, Long>, RichFunction {
    private final String url;
    private WebClient client;

    ValueLookup(String url) {
      this.url = url;
    }

    @Override
    public void open(RuntimeContext context) {
      client = WebClient.create(context.vertx());
    }

    @Override
    public Future<Long> asyncInvoke(Long v) {
      return client.getAbs(url + "/auctions/" + (v % 10_000)).send().map(response -> v);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** Counts records at or behind the current watermark: late, which a result crossing a watermark would be. */
  static final class LateCounter extends ProcessFunction<Long, Long> {
    private io.eddy.api.Counter late;

    @Override
    public void open(RuntimeContext context) {
      late = context.counter("late");
    }

    @Override
    public void processElement(Long value, Context ctx, Collector<Long> out) {
      if (ctx.timestamp() <= ctx.currentWatermark()) {
        late.inc();
      }
      out.collect(value);
    }
  }

  @Test
  void unorderedModeLetsResultsOvertakeEachOtherButNeverAWatermark() throws Exception {
    int n = 4000;
    List<Long> values = LongStream.range(0, n).boxed().toList();
    try (AuctionService service = new AuctionService(AsyncIoTest::variedDelay, a -> false)) {
      Queue<Arrival<Long>> arrivals = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> pipeline.source("values", CollectionSource.withTimestamps(values, v -> v))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forGenerator(() -> new EveryNth(50))).name("wm")
          .asyncMap(new ValueLookup(service.url()), AsyncOrder.UNORDERED, 16, Duration.ofSeconds(30)).name("lookup")
          .process(new LateCounter()).name("check")
          .sink(new CollectingSink<>(arrivals)).name("collect");

      JobResult r = Jobs.run(config(2, "fail"), job);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertThat(arrivals.stream().map(Arrival::record).toList()).containsExactlyInAnyOrderElementsOf(values);
      assertThat(r.metric("check.late")).as("results that crossed a watermark").isZero();
      boolean reordered = false;
      for (int s = 0; s < 2; s++) {
        int subtask = s;
        List<Long> order = arrivals.stream().filter(a -> a.subtask() == subtask).map(Arrival::record).toList();
        reordered |= !order.equals(order.stream().sorted().toList());
      }
      assertThat(reordered).as("some results overtook earlier ones (the delays vary)").isTrue();
    }
  }

  @ParameterizedTest(name = "capacity {0}")
  @ValueSource(ints = {1, 8})
  void theCapacityBoundsTheRequestsTheServiceSeesAtOnce(int capacity) throws Exception {
    long events = 50L * capacity;
    try (AuctionService service = new AuctionService(a -> 20, a -> false)) {
      Queue<Arrival<EnrichedBid>> arrivals = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> BidEnrichment.enrich(pipeline.source("bids", new BidSource(events)),
              service.url(), AsyncOrder.UNORDERED, capacity, Duration.ofSeconds(30))
          .sink(new CollectingSink<>(arrivals)).name("collect");

      JobResult r = Jobs.run(config(1, "fail"), job);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertSameMultiset(arrivals.stream().map(a -> a.record().line()).toList(), oracle(events));
      assertThat(service.requests.get()).isEqualTo(events);
      // every request waits 20 ms at the service, so the input always fills the capacity
      assertThat(service.maxConcurrent.get()).as("requests the service answered at once").isEqualTo(capacity);
      assertThat(r.metric("max.enrich.inFlight")).isEqualTo(capacity);
    }
  }

  static boolean hangs(int auction) {
    return auction % 100 == 3;
  }

  /**
   * Long enough for the first requests of a run (class loading, new connections) on a busy
   * machine: every request that is not made to hang must make it.
   */
  static final long TIMEOUT_MILLIS = 2000;

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"fail, ORDERED", "skip, UNORDERED", "skip, ORDERED", "deadLetter, ORDERED", "deadLetter, UNORDERED"})
  void aRequestThatTimesOutFollowsTheBadRecordPolicy(String policy, AsyncOrder order) throws Exception {
    long events = 600;
    List<Long> hungBids = LongStream.range(0, events).filter(i -> hangs(BidGenerator.bid(i).auction())).boxed().toList();
    assertThat(hungBids).as("bids whose request hangs").hasSizeBetween(2, 20);
    try (AuctionService service = new AuctionService(a -> 0, AsyncIoTest::hangs)) {
      Queue<Arrival<EnrichedBid>> arrivals = new ConcurrentLinkedQueue<>();
      Queue<Arrival<BadRecord>> dead = new ConcurrentLinkedQueue<>();
      StreamJob job = (pipeline, params) -> {
        var enriched = BidEnrichment.enrich(pipeline.source("bids", new BidSource(events)),
            service.url(), order, 32, Duration.ofMillis(TIMEOUT_MILLIS));
        enriched.sink(new CollectingSink<>(arrivals)).name("collect");
        enriched.sideOutput(OutputTag.BAD_RECORDS).sink(new CollectingSink<>(dead)).name("dead");
      };

      JobResult r = Jobs.run(config(2, policy), job);

      if (policy.equals("fail")) {
        assertThat(r.status()).isEqualTo(JobStatus.FAILED);
        assertThat(r.error()).contains("operator 'enrich'", "request timed out after " + TIMEOUT_MILLIS + " ms (record: Bid[auction=");
        Matcher m = Pattern.compile("record: Bid\\[auction=(\\d+),").matcher(r.error());
        assertThat(m.find()).isTrue();
        assertThat(hangs(Integer.parseInt(m.group(1)))).as("the record named is one whose request hung: %s", r.error())
            .isTrue();
        return;
      }
      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      List<String> expected = LongStream.range(0, events).filter(i -> !hungBids.contains(i))
          .mapToObj(AsyncIoTest::oracleLine).toList();
      assertSameMultiset(arrivals.stream().map(a -> a.record().line()).toList(), expected);
      assertThat(r.metric("enrich.badRecords")).isEqualTo(hungBids.size());
      if (policy.equals("skip")) {
        assertThat(dead).isEmpty();
      } else {
        assertThat(dead).extracting(a -> a.record().operator()).containsOnly("enrich");
        assertThat(dead).extracting(a -> a.record().reason()).containsOnly("request timed out after " + TIMEOUT_MILLIS + " ms");
        assertThat(dead.stream().map(a -> a.record().record()).toList())
            .containsExactlyInAnyOrderElementsOf(hungBids.stream().map(i -> BidGenerator.bid(i).toString()).toList());
      }
    }
  }

  @Test
  void theExampleJobEnrichesBidsAndWritesTheTimedOutOnesAsDeadLetters() throws Exception {
    long events = 1000;
    Path output = dir.resolve("enriched");
    Path rejected = dir.resolve("rejected");
    List<Long> hungBids = LongStream.range(0, events).filter(i -> hangs(BidGenerator.bid(i).auction())).boxed().toList();
    assertThat(hungBids).isNotEmpty();
    try (AuctionService service = new AuctionService(AsyncIoTest::variedDelay, AsyncIoTest::hangs)) {
      JobConfig config = Checkpointing.parse(new JsonObject()
          .put("job", "io.eddy.examples.BidEnrichment").put("parallelism", 2).put("badRecords", "deadLetter")
          .put("params", new JsonObject().put("serviceUrl", service.url()).put("output", output.toString())
              .put("rejectedOutput", rejected.toString()).put("events", events).put("capacity", 16).put("ordered", false)
              .put("timeoutMillis", TIMEOUT_MILLIS)));

      JobResult r = Jobs.run(io.eddy.graph.JobDefinition.load(config, getClass().getClassLoader()));

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertSameMultiset(Checkpointing.committedLines(output), LongStream.range(0, events)
          .filter(i -> !hungBids.contains(i)).mapToObj(AsyncIoTest::oracleLine).toList());
      List<String> deadLines = new ArrayList<>();
      try (var files = java.nio.file.Files.list(rejected)) {
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
          deadLines.addAll(java.nio.file.Files.readAllLines(f));
        }
      }
      assertSameMultiset(deadLines, hungBids.stream()
          .map(i -> BidGenerator.bid(i) + " request timed out after " + TIMEOUT_MILLIS + " ms").toList());
    }
  }

  // ---- restore

  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicLong SEEN = new AtomicLong();
  private static volatile Path observedCheckpoints;
  private static volatile String observedJob;
  private static volatile Path observedOutput;
  private static volatile int checkpointsBeforeFailure;

  /** Throws once, after at least two checkpoints completed and some output was committed. */
  static final class FailOnceAfterCheckpoints implements MapFunction<EnrichedBid, EnrichedBid> {
    @Override
    public EnrichedBid map(EnrichedBid bid) throws Exception {
      if (!FAILED.get() && SEEN.incrementAndGet() % 50 == 0) {
        int checkpoints = Checkpointing.completed(observedCheckpoints, observedJob).size();
        if (checkpoints >= 2 && !Checkpointing.committedLines(observedOutput).isEmpty()
            && FAILED.compareAndSet(false, true)) {
          checkpointsBeforeFailure = checkpoints;
          throw new IllegalStateException("injected failure after checkpoint " + checkpoints);
        }
      }
      return bid;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(AsyncOrder.class)
  void aRestoreReissuesTheRequestsInFlightAndTheOutputIsExactlyOnce(AsyncOrder order) throws Exception {
    long events = 6000;
    String name = "async-restore-" + order.name().toLowerCase();
    Path checkpoints = dir.resolve("checkpoints");
    Path output = dir.resolve("out");
    FAILED.set(false);
    SEEN.set(0);
    observedCheckpoints = checkpoints;
    observedJob = name;
    observedOutput = output;
    // 5-30 ms per request at 3000 bids/s: some 20-40 requests in flight per subtask at any barrier
    try (AuctionService service = new AuctionService(a -> 5 + (a * 7919L) % 26, a -> false)) {
      StreamJob job = (pipeline, params) -> BidEnrichment.enrich(
              pipeline.source("bids", new BidSource(events, 3000)), service.url(), order, 32, Duration.ofSeconds(30))
          .map(new FailOnceAfterCheckpoints()).name("fail-once")
          .sink(new ExactlyOnceTextFileSink<EnrichedBid>(output.toString(), EnrichedBid::line)).name("files");
      JsonObject json = Checkpointing.jobJson(name, 2, checkpoints, 100, "exactly-once");

      JobResult r = Checkpointing.run(json, job, null);

      assertThat(r.status()).as("error: %s", r.error()).isEqualTo(JobStatus.FINISHED);
      assertThat(FAILED.get()).as("the failure was injected").isTrue();
      assertThat(checkpointsBeforeFailure).isGreaterThanOrEqualTo(2);
      assertThat(r.metric("restarts")).isEqualTo(1);
      assertThat(r.metric("enrich.reissuedRequests")).as("requests in flight at the restored checkpoint, issued again")
          .isPositive();
      assertSameMultiset(Checkpointing.committedLines(output), oracle(events));
    }
  }
}
