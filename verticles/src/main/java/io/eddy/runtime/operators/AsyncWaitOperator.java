package io.eddy.runtime.operators;

import io.eddy.api.BadRecord;
import io.eddy.api.BadRecordPolicy;
import io.eddy.api.Counter;
import io.eddy.api.OutputTag;
import io.eddy.api.function.AsyncFunction;
import io.eddy.record.Frame;
import io.eddy.runtime.OperatorRestore;
import io.eddy.runtime.OperatorSnapshot;
import io.eddy.runtime.Output;
import io.eddy.runtime.StreamOperator;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies an {@link AsyncFunction}: issues a request per record on the task's event loop, keeps at
 * most {@code capacity} of them in flight, and emits their results through an
 * {@link AsyncResultQueue} (in input order, or as they complete but never across a watermark).
 *
 * <p>Back-pressure: when {@code capacity} requests are in flight (ordered mode counts results that
 * wait for an earlier one) the operator pauses its task's input; the task stops between two input
 * records and resumes when a request completes. The operator heads its chain, so every record it
 * receives is one the task chose to take.
 *
 * <p>Timeouts: a request not complete after {@code timeoutMillis} follows the job's bad-record
 * policy: the task fails naming the record, or the record is counted in {@code badRecords} and
 * skipped or, at its turn in the output order, sent to {@link OutputTag#BAD_RECORDS}. A result
 * that arrives after its timeout is ignored. A failed request fails the task.
 *
 * <p>Checkpoints: at a barrier the input records of every request not emitted yet, with the
 * watermarks between them, are written as one operator-state entry (split on restore, so a
 * subtask gets whole queues of the old subtasks, each in its order). After a restore they are
 * issued again, in that order, before any new input is taken. The end of input is passed on once
 * every request has completed and its result left.
 */
public final class AsyncWaitOperator<IN, OUT> extends StreamOperator<IN, OUT> {
  static final String IN_FLIGHT = "inFlight";
  private static final byte RECORD = 0;
  private static final byte WATERMARK = 1;

  /** One request: its input record and, once known, its outcome. */
  static final class Request<IN> extends AsyncResultQueue.Entry {
    final IN input;
    final long timestamp;
    Object result;
    boolean timedOut;
    long timer = -1;

    Request(IN input, long timestamp) {
      this.input = input;
      this.timestamp = timestamp;
    }
  }

  private final AsyncFunction<IN, OUT> function;
  private final int capacity;
  private final long timeoutMillis;
  private final AsyncResultQueue<Request<IN>> queue;
  // restored requests (Request) and watermarks (Long) not issued yet: more than the capacity
  // when a smaller parallelism took over several old subtasks' queues
  private final ArrayDeque<Object> backlog = new ArrayDeque<>();
  private List<byte[]> restored = List.of();
  private BadRecordPolicy policy;
  private Counter badRecords;
  private Counter maxInFlight;
  private Counter reissued;
  private long emittedWatermark = Long.MIN_VALUE;
  private boolean paused;
  private boolean issuingBacklog;
  private boolean inputEnded;
  private Promise<Void> endPassed; // completed once the end of input was passed on

  public AsyncWaitOperator(AsyncFunction<IN, OUT> function, boolean ordered, int capacity, long timeoutMillis) {
    this.function = function;
    this.capacity = capacity;
    this.timeoutMillis = timeoutMillis;
    this.queue = AsyncResultQueue.create(ordered, new AsyncResultQueue.Emitter<>() {
      @Override
      public void entry(Request<IN> request) {
        emit(request);
      }

      @Override
      public void watermark(long watermark) {
        emitWatermark(watermark);
      }
    });
  }

  @Override
  protected Object userFunction() {
    return function;
  }

  @Override
  public void restoreState(OperatorRestore restore) {
    restored = restore.operatorState(IN_FLIGHT);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open() throws Exception {
    super.open();
    policy = context.badRecordPolicy();
    badRecords = context.counter("badRecords");
    maxInFlight = context.highWaterMark("inFlight");
    reissued = context.counter("reissuedRequests");
    Serde<Object> serde = context.anySerde();
    for (byte[] entry : restored) {
      DataReader in = new DataReader(entry);
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        if (in.readByte() == WATERMARK) {
          backlog.add(in.readLong());
        } else {
          long timestamp = in.readLong();
          backlog.add(new Request<>((IN) serde.read(in), timestamp));
          reissued.inc();
        }
      }
    }
    restored = List.of();
    issueBacklog();
  }

  @Override
  public void collect(IN record, long timestamp) {
    Request<IN> request = new Request<>(record, timestamp);
    if (!backlog.isEmpty()) {
      backlog.add(request); // restored requests go first (input is paused until they are issued)
      return;
    }
    issue(request);
    updatePause();
  }

  private void issue(Request<IN> request) {
    queue.add(request);
    maxInFlight.max(queue.size());
    request.timer = context.setTimer(timeoutMillis, () -> onTimeout(request));
    Future<OUT> future;
    try {
      future = function.asyncInvoke(request.input);
    } catch (Exception e) {
      throw failure(new IllegalStateException(
          "the async function threw for record " + shorten(request.input) + ": " + e, e));
    }
    if (future == null) {
      throw failure(new IllegalStateException(
          "the async function returned no future for record " + shorten(request.input)));
    }
    future.onComplete(ar -> context.runOnTask(() -> onResult(request, ar)));
  }

  private void onResult(Request<IN> request, AsyncResult<OUT> ar) {
    if (request.done) {
      return; // timed out before
    }
    context.cancelSchedule(request.timer);
    if (ar.failed()) {
      throw failure(new IllegalStateException(
          "the request for record " + shorten(request.input) + " failed: " + ar.cause(), ar.cause()));
    }
    request.result = ar.result();
    queue.complete(request);
    afterCompletion();
  }

  private void onTimeout(Request<IN> request) {
    if (request.done) {
      return;
    }
    if (policy == BadRecordPolicy.FAIL) {
      throw failure(new java.util.concurrent.TimeoutException(
          "request timed out after " + timeoutMillis + " ms (record: " + shorten(request.input) + ")"));
    }
    badRecords.inc();
    request.timedOut = true;
    queue.complete(request);
    afterCompletion();
  }

  @SuppressWarnings("unchecked")
  private void emit(Request<IN> request) {
    if (request.timedOut) {
      if (policy == BadRecordPolicy.DEAD_LETTER) {
        Output<Object> dead = context.sideOutput(OutputTag.BAD_RECORDS.id());
        dead.collect(new BadRecord(context.operatorName(), shorten(request.input),
            "request timed out after " + timeoutMillis + " ms"), Frame.NO_TIMESTAMP);
      }
    } else if (request.result != null) {
      output.collect((OUT) request.result, request.timestamp);
      request.result = null;
    }
  }

  private void emitWatermark(long watermark) {
    // restored watermarks of several old subtasks may come out of order: pass only advances
    if (watermark > emittedWatermark) {
      emittedWatermark = watermark;
      output.watermark(watermark);
      for (Output<Object> side : sideOutputs()) {
        side.watermark(watermark);
      }
    }
  }

  /** A slot was freed: issue waiting restored requests, resume input, pass the end on when due. */
  private void afterCompletion() {
    issueBacklog();
    if (inputEnded && queue.isEmpty() && backlog.isEmpty() && endPassed != null) {
      Promise<Void> p = endPassed;
      endPassed = null;
      super.endOfInput();
      p.complete();
    }
  }

  @SuppressWarnings("unchecked")
  private void issueBacklog() {
    if (issuingBacklog) {
      return; // a request completed synchronously while issuing: the loop below goes on
    }
    issuingBacklog = true;
    try {
      while (!backlog.isEmpty() && queue.size() < capacity) {
        Object next = backlog.poll();
        if (next instanceof Long w) {
          queue.watermark(w);
        } else {
          issue((Request<IN>) next);
        }
      }
    } finally {
      issuingBacklog = false;
    }
    updatePause();
  }

  private void updatePause() {
    boolean full = queue.size() >= capacity || !backlog.isEmpty();
    if (full && !paused) {
      paused = true;
      context.pauseInput();
    } else if (!full && paused) {
      paused = false;
      context.resumeInput();
    }
  }

  @Override
  public void watermark(long watermark) {
    if (!backlog.isEmpty()) {
      backlog.add(watermark);
    } else {
      queue.watermark(watermark);
    }
  }

  @Override
  public void endOfInput() {
    inputEnded = true;
    if (queue.isEmpty() && backlog.isEmpty()) {
      super.endOfInput();
    } else {
      endPassed = Promise.promise();
      context.awaitBeforeFinish(endPassed.future());
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void snapshotState(OperatorSnapshot snapshot) throws Exception {
    super.snapshotState(snapshot);
    List<Object> elements = new ArrayList<>(queue.elements());
    elements.addAll(backlog);
    if (elements.isEmpty()) {
      snapshot.operatorState(IN_FLIGHT, List.of(), false);
      return;
    }
    Serde<Object> serde = context.anySerde();
    DataWriter out = new DataWriter(64 * elements.size());
    out.writeInt(elements.size());
    for (Object e : elements) {
      if (e instanceof Long w) {
        out.writeByte(WATERMARK);
        out.writeLong(w);
      } else {
        Request<IN> r = (Request<IN>) e;
        out.writeByte(RECORD);
        out.writeLong(r.timestamp);
        serde.write(r.input, out);
      }
    }
    snapshot.operatorState(IN_FLIGHT, List.of(out.toByteArray()), false);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void close() throws Exception {
    for (Object e : queue.elements()) {
      if (e instanceof Request<?> r && !r.done && r.timer >= 0) {
        context.cancelSchedule(r.timer);
      }
    }
    super.close();
  }

  private static String shorten(Object record) {
    String s = String.valueOf(record);
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
