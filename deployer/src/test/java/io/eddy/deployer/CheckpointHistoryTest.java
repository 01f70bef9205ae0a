package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The checkpoint history the dashboard lists: bounded, newest first, one outcome per checkpoint. */
class CheckpointHistoryTest {
  @Test
  void keepsTheNewestNewestFirstCountsAllAndRemembersTheLastFailure() {
    CheckpointHistory h = new CheckpointHistory();
    int total = CheckpointHistory.KEEP + 12;
    for (long id = 1; id <= total; id++) {
      if (id % 5 == 0) {
        h.failed(id, "checkpoint", id * 1000, "aborted: timed out (" + id + ")");
      } else {
        h.completed(id, "checkpoint", id * 1000, id, id * 10, id % 3, null);
      }
    }
    h.completed(total, "checkpoint", 0, 1, 1, 1, null); // a second outcome for one id is ignored
    JsonObject d = h.describe();
    long failures = total / 5;
    assertThat(d.getLong("failed")).isEqualTo(failures);
    assertThat(d.getLong("completed")).isEqualTo(total - failures);
    JsonArray history = d.getJsonArray("history");
    assertThat(history).hasSize(CheckpointHistory.KEEP);
    for (int i = 0; i < history.size(); i++) {
      JsonObject c = history.getJsonObject(i);
      long id = total - i;
      assertThat(c.getLong("id")).isEqualTo(id);
      assertThat(c.getString("status")).isEqualTo(id % 5 == 0 ? "FAILED" : "COMPLETED");
      if (id % 5 != 0) {
        assertThat(c.getLong("durationMillis")).isEqualTo(id);
        assertThat(c.getLong("sizeBytes")).isEqualTo(id * 10);
        assertThat(c.getLong("alignmentMillis")).isEqualTo(id % 3);
      }
    }
    long lastFailed = total / 5 * 5;
    assertThat(d.getJsonObject("lastFailure").getLong("id")).isEqualTo(lastFailed);
    assertThat(d.getJsonObject("lastFailure").getString("reason")).isEqualTo("aborted: timed out (" + lastFailed + ")");
  }

  @Test
  void aSavepointKeepsItsPath() {
    CheckpointHistory h = new CheckpointHistory();
    h.completed(4, "savepoint", 10, 20, 30, 0, "/sp/savepoint-1");
    JsonObject c = h.describe().getJsonArray("history").getJsonObject(0);
    assertThat(c.getString("kind")).isEqualTo("savepoint");
    assertThat(c.getString("path")).isEqualTo("/sp/savepoint-1");
    assertThat(h.describe().containsKey("lastFailure")).isFalse();
  }

  @Test
  void aNewLeaderCarriesTheHistoryOnFromWhatTheFormerPublished() {
    CheckpointHistory former = new CheckpointHistory();
    for (long id = 1; id <= CheckpointHistory.KEEP; id++) {
      former.completed(id, "checkpoint", id * 1000, id, id * 10, 0, null);
    }
    former.failed(CheckpointHistory.KEEP + 1, "stopping", 5, "aborted: timed out");
    JsonObject published = former.describe();

    CheckpointHistory next = new CheckpointHistory();
    next.carry(new JsonObject(published.encode())); // as read back from the cluster map or the durable copy
    assertThat(next.describe()).isEqualTo(published);
    long id = CheckpointHistory.KEEP + 2;
    next.completed(id, "checkpoint", 1, 2, 3, 0, null);
    next.completed(id - 1, "checkpoint", 1, 2, 3, 0, null); // carried already: its first outcome stays
    JsonObject d = next.describe();
    assertThat(d.getLong("completed")).isEqualTo(CheckpointHistory.KEEP + 1L);
    assertThat(d.getLong("failed")).isEqualTo(1L);
    assertThat(d.getJsonArray("history")).hasSize(CheckpointHistory.KEEP);
    assertThat(d.getJsonArray("history").getJsonObject(0).getLong("id")).isEqualTo(id);
    assertThat(d.getJsonArray("history").getJsonObject(1).getString("status")).isEqualTo("FAILED");
    assertThat(d.getJsonObject("lastFailure").getLong("id")).isEqualTo(id - 1);
  }

  @Test
  void malformedCarriedEntriesAreLeftOut() {
    CheckpointHistory h = new CheckpointHistory();
    h.carry(new JsonObject().put("completed", "many").put("failed", 2)
        .put("history", new JsonArray().add("x").add(new JsonObject().put("id", "7"))
            .add(new JsonObject().put("id", 5).put("status", "COMPLETED"))));
    JsonObject d = h.describe();
    assertThat(d.getLong("completed")).isZero();
    assertThat(d.getLong("failed")).isEqualTo(2L);
    assertThat(d.getJsonArray("history")).hasSize(1);
    assertThat(d.getJsonArray("history").getJsonObject(0).getLong("id")).isEqualTo(5L);
  }
}
