package io.eddy.examples;

import io.eddy.api.BadRecord;
import io.eddy.api.Counter;
import io.eddy.api.DataStream;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.OutputTag;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.config.ConfigException;
import io.eddy.config.JobParams;
import io.eddy.connectors.file.TextFileSink;
import io.eddy.connectors.file.TextFileSource;
import io.eddy.time.WatermarkStrategy;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Flags a likely stolen card, as in Flink's fraud-detection walkthrough: a small transaction (a
 * thief testing the card) immediately followed, on the same account, by a large one within a
 * minute of event time.
 *
 * <p>Input: CSV lines {@code timestampMillis,accountId,amount}, where {@code amount} is a decimal
 * number of currency units with at most two decimal places ({@code 0.50}, {@code 731.2},
 * {@code 12}); the job works in cents, so there is no rounding. A header line starting with
 * {@code ts} and blank lines are skipped. Transactions may arrive out of order by up to
 * {@code outOfOrdernessMs} (for a directory of several files, see the note in {@link HotItems}).
 *
 * <p>The rule: an account's transactions are taken in event-time order (equal times in arrival
 * order). A transaction with an amount below {@code smallAmount} raises the account's flag; the
 * next transaction of the account lowers it again, and raises an alert when its amount is above
 * {@code largeAmount} and its time is less than {@code windowMs} after the small one. A flag that
 * sees no transaction for {@code windowMs} expires.
 *
 * <p>Output: one line {@code <accountId> <smallTs> <largeTs> <largeAmount>} per alert, the amount
 * with two decimals, in {@code <output>/part-<subtask>}.
 *
 * <p>How it works: keyed by account, a {@link KeyedProcessFunction} first puts each transaction in
 * a per-account buffer (keyed state) and sets an event-time timer at its timestamp. When the
 * watermark passes that time, no earlier transaction can still come, so the timer runs the due
 * transactions through the rule in time order; this is what makes the result independent of the
 * arrival order. The flag is a {@link ValueState} holding the small transaction, and an event-time
 * timer at {@code smallTs + windowMs} clears it, so the state of quiet accounts goes away. A
 * transaction that arrives behind the watermark (later than the bound allows) cannot be put in
 * order any more: it is counted in the metric {@code detect.lateTransactions} and sent to the side
 * output {@link #LATE}, written to {@code lateOutput} when that parameter is set.
 *
 * <p>Malformed lines follow the job's bad-record policy ({@code badRecords} in the job file; see
 * {@link HotItems} for how a timestamp assigner that validates the line makes that work);
 * rejected lines go to {@code rejectedOutput} when set and the policy is {@code deadLetter}.
 *
 * <p>Parameters: {@code input}, {@code output}, {@code smallAmount} (default 1.00),
 * {@code largeAmount} (default 500.00), {@code windowMs} (default 60000),
 * {@code outOfOrdernessMs} (default 1000), {@code lateOutput}, {@code rejectedOutput} (optional).
 */
public final class FraudDetection implements StreamJob {

  /** Transactions that arrived too late to be put in time order. */
  public static final OutputTag<Transaction> LATE = new OutputTag<>("late-transactions", Transaction.class);

  private static final Pattern AMOUNT = Pattern.compile("[0-9]+(\\.[0-9]{1,2})?");

  /** One card transaction; {@code cents} is the amount in hundredths of a currency unit. */
  public record Transaction(long timestamp, String account, long cents) {

    /**
     * Parses {@code timestampMillis,accountId,amount}.
     *
     * @throws IllegalArgumentException naming the line when it is not such a line
     */
    public static Transaction parse(String line) {
      String[] f = line.split(",", -1);
      if (f.length != 3) {
        throw new IllegalArgumentException(
            "expected 3 fields 'timestampMillis,accountId,amount', got " + f.length + " in '" + line + "'");
      }
      long ts;
      try {
        ts = Long.parseLong(f[0].strip());
      } catch (NumberFormatException e) {
        ts = -1;
      }
      if (ts < 0) {
        throw new IllegalArgumentException("timestampMillis is not a non-negative integer in '" + line + "'");
      }
      String account = f[1].strip();
      if (account.isEmpty()) {
        throw new IllegalArgumentException("accountId is empty in '" + line + "'");
      }
      return new Transaction(ts, account, parseCents(f[2].strip(), line));
    }

    /** The line of this transaction in the input format. */
    public String toLine() {
      return timestamp + "," + account + "," + formatCents(cents);
    }
  }

  /** A small transaction followed by a large one. */
  public record Alert(String account, long smallTimestamp, long largeTimestamp, long largeCents) {
    /** The output line {@code <accountId> <smallTs> <largeTs> <largeAmount>}. */
    public String format() {
      return account + " " + smallTimestamp + " " + largeTimestamp + " " + formatCents(largeCents);
    }
  }

  /** An account's transactions not yet due, in time order (the buffer of {@link FraudDetector}). */
  public record Pending(List<Transaction> transactions) {}

  /**
   * Converts a non-negative decimal amount with at most two decimal places to cents.
   *
   * @throws IllegalArgumentException naming {@code context} when the text is not such an amount
   */
  public static long parseCents(String amount, String context) {
    if (!AMOUNT.matcher(amount).matches()) {
      throw new IllegalArgumentException(
          "amount '" + amount + "' is not a non-negative decimal with at most two decimals in '" + context + "'");
    }
    try {
      return new BigDecimal(amount).movePointRight(2).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("amount '" + amount + "' is too large in '" + context + "'");
    }
  }

  /** Cents as a decimal with two places: 73120 gives {@code 731.20}. */
  public static String formatCents(long cents) {
    return BigDecimal.valueOf(cents, 2).toPlainString();
  }

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    long small = amountParam(params, "smallAmount", "1.00");
    long large = amountParam(params, "largeAmount", "500.00");
    long windowMs = params.getLong("windowMs", 60_000);
    long outOfOrdernessMs = params.getLong("outOfOrdernessMs", 1_000);
    HotItems.check(windowMs > 0, "windowMs", "must be positive", windowMs);
    HotItems.check(outOfOrdernessMs >= 0, "outOfOrdernessMs", "must not be negative", outOfOrdernessMs);

    DataStream<String> lines = pipeline.source("read", new TextFileSource(params.requirePath("input")))
        .filter(HotItems::isData).name("skip-header")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<String>forBoundedOutOfOrderness(
                Duration.ofMillis(outOfOrdernessMs))
            .withTimestampAssigner((line, ignored) -> Transaction.parse(line).timestamp()))
        .name("event-time");
    String rejected = params.getPath("rejectedOutput", null);
    if (rejected != null) {
      lines.sideOutput(OutputTag.BAD_RECORDS)
          .sink(new TextFileSink<BadRecord>(rejected, b -> b.record() + "\t" + b.reason()))
          .name("write-rejected");
    }
    DataStream<Alert> alerts = lines.map(Transaction::parse).name("parse")
        .keyBy(Transaction::account)
        .process(new FraudDetector(small, large, windowMs)).name("detect");
    alerts.sink(new TextFileSink<Alert>(params.requirePath("output"), Alert::format)).name("write");
    String lateOutput = params.getPath("lateOutput", null);
    if (lateOutput != null) {
      alerts.sideOutput(LATE)
          .sink(new TextFileSink<Transaction>(lateOutput, Transaction::toLine))
          .name("write-late");
    }
  }

  private static long amountParam(JobParams params, String key, String def) {
    String value = params.get(key, def);
    try {
      return parseCents(value, value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("job parameter '" + key
          + "': expected a non-negative decimal with at most two decimals, found \"" + value + "\"");
    }
  }

  /** The rule, per account; see the class comment. */
  static final class FraudDetector extends KeyedProcessFunction<String, Transaction, Alert> {
    private final long smallCents;
    private final long largeCents;
    private final long windowMs;
    private ValueState<Pending> pending;
    private ValueState<Transaction> flag;
    private Counter late;

    FraudDetector(long smallCents, long largeCents, long windowMs) {
      this.smallCents = smallCents;
      this.largeCents = largeCents;
      this.windowMs = windowMs;
    }

    @Override
    public void open(RuntimeContext context) {
      pending = context.keyedState().getState(new ValueStateDescriptor<>("pending", Pending.class));
      flag = context.keyedState().getState(new ValueStateDescriptor<>("small-transaction", Transaction.class));
      late = context.counter("lateTransactions");
    }

    @Override
    public void processElement(Transaction t, Context<String> ctx, Collector<Alert> out) {
      if (t.timestamp() <= ctx.timerService().currentWatermark()) {
        late.inc();
        ctx.output(LATE, t);
        return;
      }
      Pending p = pending.value();
      List<Transaction> buffer = p == null ? new ArrayList<>() : p.transactions();
      int at = buffer.size();
      while (at > 0 && buffer.get(at - 1).timestamp() > t.timestamp()) {
        at--; // after every earlier or equal time: equal times keep their arrival order
      }
      buffer.add(at, t);
      pending.update(new Pending(buffer));
      ctx.timerService().registerEventTimeTimer(t.timestamp());
    }

    /**
     * Fires at a transaction's time (run the due transactions through the rule) or at a flag's
     * expiry (clear it); one timer may be both, as the timer service keeps one per time and key.
     * A timer that finds nothing to do (a flag lowered before its expiry) does nothing.
     */
    @Override
    public void onTimer(long time, Context<String> ctx, Collector<Alert> out) {
      Pending p = pending.value();
      if (p != null) {
        List<Transaction> buffer = p.transactions();
        int due = 0;
        while (due < buffer.size() && buffer.get(due).timestamp() <= time) {
          apply(buffer.get(due), ctx, out);
          due++;
        }
        buffer.subList(0, due).clear();
        if (buffer.isEmpty()) {
          pending.clear();
        } else {
          pending.update(new Pending(buffer));
        }
      }
      Transaction small = flag.value();
      if (small != null && small.timestamp() + windowMs <= time) {
        flag.clear();
      }
    }

    private void apply(Transaction t, Context<String> ctx, Collector<Alert> out) {
      Transaction small = flag.value();
      if (small != null) {
        if (t.cents() > largeCents && t.timestamp() < small.timestamp() + windowMs) {
          out.collect(new Alert(t.account(), small.timestamp(), t.timestamp(), t.cents()));
        }
        flag.clear();
      }
      if (t.cents() < smallCents) {
        flag.update(t);
        ctx.timerService().registerEventTimeTimer(t.timestamp() + windowMs);
      }
    }
  }
}
