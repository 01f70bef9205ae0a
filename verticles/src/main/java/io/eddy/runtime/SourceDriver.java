package io.eddy.runtime;

import io.eddy.api.BadRecord;
import io.eddy.api.BadRecordPolicy;
import io.eddy.api.Counter;
import io.eddy.connector.ConnectorException;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.record.Frame;
import io.eddy.runtime.control.TaskCommand;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a source subtask's {@link SourceReader}: opens it with its splits (its share of the
 * source's static splits, or what the coordinator's enumerator assigns), polls it in batches into
 * the head of the chain, records its split positions in checkpoints, and handles what the reader
 * reports as malformed according to the job's bad-record policy.
 *
 * <p>Threading: everything runs on the task's event loop, called by the task between turns; only
 * the reader's {@link SourceReaderContext#wakeUp} may be called from another thread, and it posts
 * to the loop. Nothing here blocks: creating the static splits runs on a worker thread.
 *
 * <p>A batch cannot be interrupted inside the reader, so when the chain must stop taking input in
 * the middle of one (an operator yields because its output is full, or pauses its input), the rest
 * of the batch is held here, at most {@link #BATCH} records, and handed on first when input resumes.
 */
final class SourceDriver {
  static final int BATCH = 1024;
  private static final int BATCHES_PER_TURN = 8;

  /** What the driver needs of its task. */
  interface Task {
    /** True when the chain takes no more input now (paused, yielding, or its output is full). */
    boolean inputStopped();

    /** True while some output channel waits for credit. */
    boolean backPressured();

    /** The reader has data again after it reported none: schedule a turn (on the event loop). */
    void dataAvailable();

    /**
     * The held rest of a batch has all been handed on, and the reader has not been polled since:
     * a checkpoint trigger that waited for it ({@link #holdsRecords}) is taken now.
     */
    void heldReleased();
  }

  private final TaskId id;
  private final String sourceName;
  private final Source<?> source;
  private final Output<Object> head;
  private final Output<Object> badRecords; // the source's dead-letter side output, or null
  private final BadRecordPolicy badRecordPolicy;
  private final TaskMetrics metrics;
  private final Task task;
  private final Counter recordsIn;
  private final Counter sourceRecordsRead; // over all attempts, more than the input once records were replayed
  private final ArrayDeque<Object[]> held = new ArrayDeque<>(); // {record, timestamp} or {split, finished}
  private SourceReader<Object> reader;
  private SourceSplits splits;
  private Counter badRecordCount;
  private long records; // counted in a plain field on the hot path, published per batch
  private boolean waitingForData;
  private boolean endReached;
  private boolean stopped; // a stopping checkpoint was taken: the source reads no more

  SourceDriver(TaskId id, String sourceName, Source<?> source, Output<Object> head, Output<Object> badRecords,
      BadRecordPolicy badRecordPolicy, TaskMetrics metrics, Task task) {
    this.id = id;
    this.sourceName = sourceName;
    this.source = source;
    this.head = head;
    this.badRecords = badRecords;
    this.badRecordPolicy = badRecordPolicy;
    this.metrics = metrics;
    this.task = task;
    this.recordsIn = metrics.counter(TaskMetrics.RECORDS_IN);
    this.sourceRecordsRead = metrics.counter(TaskMetrics.SOURCE_RECORDS);
  }

  /**
   * Creates the reader and gives it its splits: the static ones at once (created on a worker
   * thread), an enumerator's as they arrive ({@link #assign}).
   *
   * @param restoredPositions split positions from the checkpoint restored (of every subtask), or empty
   * @param restoring whether the task restores a checkpoint
   */
  @SuppressWarnings("unchecked")
  Future<?> open(Vertx vertx, Context context, int parallelism, Map<String, String> restoredPositions, boolean restoring) {
    SourceReaderContext readerContext = readerContext(vertx, context, parallelism);
    if (source.enumeratesSplits()) {
      try {
        reader = (SourceReader<Object>) source.createReader(readerContext);
        splits = new SourceSplits(source, reader, sourceName, restoredPositions);
        return Future.succeededFuture();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> source.createSplits(parallelism)).map(all -> {
      try {
        reader = (SourceReader<Object>) source.createReader(readerContext);
        splits = new SourceSplits(source, reader, sourceName, restoredPositions);
        splits.assignStatic(all, id.subtask(), parallelism, restoring);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return null;
    });
  }

  /** Splits from the coordinator's enumerator; a reader waiting for data is polled again. */
  void assign(TaskCommand.AssignSplits a) throws Exception {
    if (splits == null) {
      return;
    }
    splits.assigned(a);
    wake();
  }

  /** The split positions of the reader at this point of the stream, for checkpoint {@code checkpointId}. */
  OperatorSnapshot snapshotPositions(long checkpointId) {
    OperatorSnapshot positions = new OperatorSnapshot(checkpointId);
    List<byte[]> entries = new ArrayList<>();
    reader.snapshotPositions(checkpointId).forEach((split, pos) ->
        entries.add((split + "\t" + pos).getBytes(StandardCharsets.UTF_8)));
    positions.operatorState("positions", entries, true);
    return positions;
  }

  /** Reads what {@link #snapshotPositions} wrote, as split id to position. */
  static Map<String, String> restorePositions(Map<String, List<byte[]>> operatorState) {
    Map<String, String> positions = new HashMap<>();
    for (byte[] entry : operatorState.getOrDefault("positions", List.of())) {
      String line = new String(entry, StandardCharsets.UTF_8);
      int tab = line.indexOf('\t');
      positions.put(line.substring(0, tab), line.substring(tab + 1));
    }
    return positions;
  }

  void notifyCheckpointComplete(long checkpointId) throws Exception {
    reader.notifyCheckpointComplete(checkpointId);
  }

  /**
   * True while the rest of a batch is held: the reader's positions are then past records that have
   * not reached the chain, so no snapshot may be taken until {@link Task#heldReleased}.
   */
  boolean holdsRecords() {
    return !held.isEmpty();
  }

  /** A stopping checkpoint was taken: nothing after its barrier is read. */
  void stop() {
    stopped = true;
  }

  /**
   * Hands on what was held, then polls the reader a few batches. Returns whether another turn
   * should follow at once; {@link SourceReader.InputStatus#END_OF_INPUT} is reported through
   * {@code ended}.
   */
  boolean poll(Runnable ended) throws Exception {
    boolean wasHolding = !held.isEmpty();
    if (stopped || !releaseHeld()) {
      return false;
    }
    if (wasHolding) {
      task.heldReleased();
      if (stopped || task.inputStopped()) {
        return false; // the checkpoint it took failed the task, or its barrier filled the output
      }
    }
    if (endReached) {
      ended.run();
      return false;
    }
    for (int i = 0; i < BATCHES_PER_TURN; i++) {
      long before = records;
      SourceReader.InputStatus status = reader.pollNext(output, BATCH);
      recordsIn.add(records - before);
      sourceRecordsRead.add(records - before);
      switch (status) {
        case END_OF_INPUT -> {
          if (!held.isEmpty()) {
            endReached = true; // the end follows what is held
            return false;
          }
          ended.run();
          return false;
        }
        case NOTHING_AVAILABLE -> {
          waitingForData = true;
          return false;
        }
        default -> {
          if (task.backPressured() || task.inputStopped()) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Hands on the held rest of a batch while the chain takes input; true when nothing is held now. */
  private boolean releaseHeld() {
    while (!held.isEmpty() && !task.inputStopped()) {
      Object[] e = held.poll();
      if (e[1] instanceof Boolean finished) {
        head.split((String) e[0], finished);
      } else {
        head.collect(e[0], (Long) e[1]);
      }
    }
    return held.isEmpty();
  }

  /** Closes the reader; a failure here never hides the one that stopped the task. */
  void close() {
    if (reader != null) {
      try {
        reader.close();
      } catch (Throwable ignored) {
        // closing after a failure must not hide the failure
      }
    }
  }

  private void wake() {
    if (waitingForData) {
      waitingForData = false;
      task.dataAvailable();
    }
  }

  private final SourceOutput<Object> output = new SourceOutput<>() {
    @Override
    public void collect(Object record) {
      collect(record, Frame.NO_TIMESTAMP);
    }

    @Override
    public void collect(Object record, long timestamp) {
      records++;
      if (held.isEmpty() && !task.inputStopped()) {
        head.collect(record, timestamp);
      } else {
        held.add(new Object[] {record, timestamp});
      }
    }

    @Override
    public void split(String splitId) {
      splitEvent(splitId, false);
    }

    @Override
    public void splitFinished(String splitId) {
      splitEvent(splitId, true);
    }

    private void splitEvent(String splitId, boolean finished) {
      if (held.isEmpty() && !task.inputStopped()) {
        head.split(splitId, finished);
      } else {
        held.add(new Object[] {splitId, finished});
      }
    }
  };

  private SourceReaderContext readerContext(Vertx vertx, Context context, int parallelism) {
    return new SourceReaderContext() {
      @Override
      public int subtaskIndex() {
        return id.subtask();
      }

      @Override
      public int parallelism() {
        return parallelism;
      }

      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public void wakeUp() {
        context.runOnContext(v -> wake());
      }

      @Override
      public Counter counter(String name) {
        return metrics.counter(sourceName + "." + name);
      }

      @Override
      public void badRecord(String where, byte[] raw, String reason) {
        if (badRecordPolicy == BadRecordPolicy.FAIL) {
          throw new ConnectorException(where + ": " + reason);
        }
        if (badRecordCount == null) {
          badRecordCount = counter("badRecords");
        }
        badRecordCount.inc();
        if (badRecordPolicy == BadRecordPolicy.DEAD_LETTER && badRecords != null) {
          String text = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
          badRecords.collect(new BadRecord(sourceName, text, where + ": " + reason, raw), Frame.NO_TIMESTAMP);
        }
      }
    };
  }
}
