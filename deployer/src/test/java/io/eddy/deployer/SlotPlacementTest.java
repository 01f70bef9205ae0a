package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.eddy.runtime.TaskId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How the leader spreads slots over nodes, checked against what each node offers. */
class SlotPlacementTest {
  @Test
  void slotsGoOneNodeAtATimeSoEveryNodeGetsOneBeforeAnyGetsTwo() {
    Map<String, Integer> free = new LinkedHashMap<>();
    free.put("a", 2);
    free.put("b", 2);
    free.put("c", 2);
    List<String> three = ClusterTaskHosts.spread(free, 3);
    assertThat(three).containsExactlyInAnyOrder("a", "b", "c");
    List<String> five = ClusterTaskHosts.spread(free, 5);
    assertThat(five).hasSize(5);
    assertThat(five.stream().distinct()).hasSize(3);
  }

  @Test
  void nodesWithMoreFreeSlotsComeFirstAndNoNodeGetsMoreThanItOffers() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      Map<String, Integer> free = new LinkedHashMap<>();
      int total = 0;
      for (int n = 0; n < 1 + random.nextInt(5); n++) {
        int slots = 1 + random.nextInt(4);
        free.put("n" + n, slots);
        total += slots;
      }
      int count = 1 + random.nextInt(total);
      List<String> placed = ClusterTaskHosts.spread(free, count);
      assertThat(placed).hasSize(count);
      Map<String, Integer> used = new HashMap<>();
      placed.forEach(n -> used.merge(n, 1, Integer::sum));
      used.forEach((n, u) -> assertThat(u).as("slots on %s of %s", n, free).isLessThanOrEqualTo(free.get(n)));
      // balanced: two nodes that both still had room differ by at most one slot
      for (String x : used.keySet()) {
        for (String y : free.keySet()) {
          int ux = used.get(x);
          int uy = used.getOrDefault(y, 0);
          if (uy < free.get(y)) {
            assertThat(ux - uy).as("%s vs %s in %s for %d", x, y, free, count).isLessThanOrEqualTo(1);
          }
        }
      }
    }
  }

  @Test
  void aSlotHoldsTheSameSubtaskOfEveryVertex() {
    SlotAssignment slots = new SlotAssignment(List.of("a", "b", "a"));
    assertThat(slots.parallelism()).isEqualTo(3);
    assertThat(slots.nodeOf(new TaskId("j", 0, 0, 1))).isEqualTo("b");
    assertThat(slots.nodeOf(new TaskId("j", 0, 5, 1))).isEqualTo("b");
    assertThat(slots.nodeOf(new TaskId("j", 0, 5, 4))).as("a wider vertex wraps around").isEqualTo("b");
    assertThat(slots.slotsOn("a")).isEqualTo(2);
    assertThat(slots.distinctNodes()).containsExactly("a", "b");
  }
}
