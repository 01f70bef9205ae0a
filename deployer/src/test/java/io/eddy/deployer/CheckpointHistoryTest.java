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
}
