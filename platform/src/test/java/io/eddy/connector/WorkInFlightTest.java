package io.eddy.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WorkInFlightTest {
  @Test
  void backPressureFollowsTheCountAndEveryWaiterIsReleasedOnceBelowTheBound() {
    int max = 3;
    WorkInFlight w = new WorkInFlight(max);
    Random random = new Random(5);
    int model = 0;
    List<Future<Void>> waiting = new ArrayList<>();
    for (int step = 0; step < 2_000; step++) {
      if (model > 0 && (model >= max + 2 || random.nextBoolean())) {
        w.finished();
        model--;
      } else {
        w.started();
        model++;
      }
      Future<Void> room = w.backPressure();
      assertThat(room == null).as("no back-pressure below the bound, step %s", step).isEqualTo(model < max);
      if (room != null) {
        waiting.add(room);
      }
      if (model < max) {
        assertThat(waiting).as("every future handed out is complete once below the bound").allMatch(Future::succeeded);
        waiting.clear();
      } else {
        assertThat(room.isComplete()).isFalse();
      }
      assertThat(w.inFlight()).isEqualTo(model);
    }
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> new WorkInFlight(0)).hasMessage("max must be at least 1, was 0");
  }
}
