package io.eddy.deployer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * The recent checkpoints of one job, as {@code GET /jobs/{id}/checkpoints} shows them: the last {@link #KEEP}
 * completed or failed ones with their duration, size and alignment time, the counts over the coordinator's life,
 * and the last failure with its reason. Bounded: older entries are dropped.
 *
 * <p>Confined to the {@link CheckpointCoordinator}'s context, which calls {@link #completed} and {@link #failed} as
 * checkpoints end; each id is recorded once (the first outcome wins). A coordinator that takes a job over from a
 * former leader first {@link #carry carries} what that leader published, so the history spans the job's life.
 */
final class CheckpointHistory {
  /** How many checkpoints are kept. */
  static final int KEEP = 30;

  private final ArrayDeque<JsonObject> recent = new ArrayDeque<>();
  private final Set<Long> recorded = new HashSet<>();
  private long completed;
  private long failed;
  private JsonObject lastFailure;

  /**
   * A checkpoint completed and was stored.
   *
   * @param kind {@code checkpoint}, {@code savepoint} (with {@code path}), {@code stopping} (for a rescale or a
   *     hand-over) or {@code final}
   * @param alignmentMillis the longest alignment of a subtask for it
   */
  void completed(long id, String kind, long startedAt, long durationMillis, long sizeBytes, long alignmentMillis,
      String path) {
    if (!recorded.add(id)) {
      return;
    }
    completed++;
    JsonObject c = new JsonObject().put("id", id).put("status", "COMPLETED").put("kind", kind)
        .put("startedAt", startedAt).put("durationMillis", durationMillis).put("sizeBytes", sizeBytes)
        .put("alignmentMillis", alignmentMillis);
    if (path != null) {
      c.put("path", path);
    }
    add(c);
  }

  /** A checkpoint was aborted or could not be stored; {@code reason} says why (the exception, when one). */
  void failed(long id, String kind, long startedAt, String reason) {
    if (!recorded.add(id)) {
      return;
    }
    failed++;
    lastFailure = new JsonObject().put("id", id).put("status", "FAILED").put("kind", kind).put("startedAt", startedAt)
        .put("failedAt", System.currentTimeMillis()).put("reason", reason);
    add(lastFailure);
  }

  /**
   * Starts from {@code described}, a former {@link #describe} as published with the job (call before any
   * checkpoint is recorded). Entries without a numeric {@code id} and non-numeric counts are ignored: the registry
   * copy this comes from is input from the cluster map or a file.
   */
  void carry(JsonObject described) {
    if (described == null) {
      return;
    }
    completed = described.getValue("completed") instanceof Number n ? n.longValue() : completed;
    failed = described.getValue("failed") instanceof Number n ? n.longValue() : failed;
    if (described.getValue("lastFailure") instanceof JsonObject f && f.getValue("id") instanceof Number) {
      lastFailure = f.copy();
    }
    if (described.getValue("history") instanceof JsonArray entries) {
      for (int i = entries.size() - 1; i >= 0; i--) { // oldest first, since add puts each in front
        if (entries.getValue(i) instanceof JsonObject e && e.getValue("id") instanceof Number id
            && recorded.add(id.longValue())) {
          add(e.copy());
        }
      }
    }
  }

  private void add(JsonObject entry) {
    recent.addFirst(entry);
    while (recent.size() > KEEP) {
      JsonObject dropped = recent.removeLast();
      recorded.remove(dropped.getLong("id"));
    }
  }

  /**
   * {@code {completed, failed, history: [newest first], lastFailure?}}; each entry {@code {id, status, kind,
   * startedAt}} plus {@code durationMillis, sizeBytes, alignmentMillis, path?} when completed or
   * {@code failedAt, reason} when failed.
   */
  JsonObject describe() {
    JsonArray history = new JsonArray();
    for (Iterator<JsonObject> it = recent.iterator(); it.hasNext(); ) {
      history.add(it.next().copy());
    }
    JsonObject j = new JsonObject().put("completed", completed).put("failed", failed).put("history", history);
    if (lastFailure != null) {
      j.put("lastFailure", lastFailure.copy());
    }
    return j;
  }
}
