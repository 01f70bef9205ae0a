package io.eddy.deployer;

import io.eddy.connector.Source;
import io.eddy.connector.SourceSplit;
import io.eddy.connector.SplitEnumerator;
import io.eddy.connector.SplitEnumeratorContext;
import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobVertex;
import io.eddy.graph.Specs;
import io.eddy.runtime.control.TaskCommand.AssignSplits;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.TaskId;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The coordinator's side of run-time split assignment for one attempt of a job: one
 * {@link SplitEnumerator} per source that has one, whose assignments go to the source's subtasks
 * as {@link AssignSplits} messages on their control addresses, and whose state (the splits
 * handed out) goes into every checkpoint's metadata under {@code "enumerators"}, keyed by the
 * source's uid. Runs on the coordinator's event loop.
 */
final class SplitEnumerators {
  static final String METADATA_KEY = "enumerators";

  private final Map<String, Running> bySource = new LinkedHashMap<>();
  private boolean closed;

  private record Running(Source<?> source, SplitEnumerator enumerator) {}

  private SplitEnumerators() {}

  /**
   * Creates the enumerators of {@code plan}'s sources for {@code attempt}, restoring what the
   * checkpoint {@code restore} recorded (null: a fresh start), and starts them. A source that
   * cannot create its enumerator reports through {@code onFailure}.
   */
  static SplitEnumerators start(Vertx vertx, ExecutionPlan plan, String jobId, int attempt, JsonObject restore,
      Consumer<Throwable> onFailure) {
    TaskMessage.registerCodecOn(vertx.eventBus());
    SplitEnumerators all = new SplitEnumerators();
    JsonObject recorded = restore == null ? new JsonObject() : restore.getJsonObject(METADATA_KEY, new JsonObject());
    for (JobVertex v : plan.vertices()) {
      if (!v.isSource()) {
        continue;
      }
      Source<?> source = ((Specs.SourceSpec) v.head().spec()).source();
      if (!source.enumeratesSplits()) {
        continue;
      }
      String uid = v.head().name() + "#" + v.head().id();
      int vertexId = v.id();
      int parallelism = v.parallelism();
      SplitEnumeratorContext context = new SplitEnumeratorContext() {
        @Override
        public int parallelism() {
          return parallelism;
        }

        @Override
        public Vertx vertx() {
          return vertx;
        }

        @Override
        public void assignSplits(int subtask, List<? extends SourceSplit> splits) {
          if (all.closed) {
            return;
          }
          List<String> texts = new ArrayList<>();
          splits.forEach(s -> texts.add(source.serializeSplit(s)));
          send(subtask, new AssignSplits(texts, false));
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
          if (!all.closed) {
            send(subtask, new AssignSplits(List.of(), true));
          }
        }

        @Override
        public void fail(Throwable cause) {
          if (!all.closed) {
            onFailure.accept(cause);
          }
        }

        private void send(int subtask, AssignSplits a) {
          vertx.eventBus().send(new TaskId(jobId, attempt, vertexId, subtask).controlAddress(), a, TaskMessage.DELIVERY);
        }
      };
      try {
        List<SourceSplit> restored = new ArrayList<>();
        for (Object text : recorded.getJsonArray(uid, new JsonArray())) {
          restored.add(source.deserializeSplit((String) text));
        }
        SplitEnumerator e = source.createEnumerator(context, restored);
        all.bySource.put(uid, new Running(source, e));
      } catch (Throwable e) {
        all.close();
        onFailure.accept(e);
        return all;
      }
    }
    for (Running r : all.bySource.values()) {
      try {
        r.enumerator().start();
      } catch (Throwable e) {
        all.close();
        onFailure.accept(e);
        break;
      }
    }
    return all;
  }

  /** The splits each enumerator handed out, for checkpoint {@code checkpointId}'s metadata. */
  JsonObject snapshot(long checkpointId) {
    JsonObject out = new JsonObject();
    bySource.forEach((uid, r) -> {
      JsonArray splits = new JsonArray();
      r.enumerator().snapshotState(checkpointId).forEach(s -> splits.add(r.source().serializeSplit(s)));
      out.put(uid, splits);
    });
    return out;
  }

  void checkpointComplete(long checkpointId) {
    bySource.values().forEach(r -> r.enumerator().notifyCheckpointComplete(checkpointId));
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    bySource.values().forEach(r -> r.enumerator().close());
  }
}
