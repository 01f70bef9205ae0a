package io.eddy.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.StateTtlConfig;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.serde.SerdeRegistry;
import io.eddy.serde.Serdes;
import io.eddy.state.StateTestSupport.Backend;
import io.eddy.state.StateTestSupport.Target;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A restored state read with other serdes, another kind or another TTL setting is refused, naming operator and state. */
class RestoreCompatibilityTest {
  @TempDir
  Path dir;

  private JsonObject snapshotWithCount(Backend kind, Path root) throws Exception {
    try (AbstractKeyedStateBackend b = kind.create(dir, "counter", 128, 0, 127)) {
      ValueState<Long> count = b.getState(new ValueStateDescriptor<>("count", Long.class));
      for (int i = 0; i < 20; i++) {
        b.setCurrentKey("k" + i);
        count.update((long) i);
      }
      b.getMapState(new MapStateDescriptor<>("seen", String.class, Long.class));
      return StateTestSupport.snapshot(b, Target.of(root, 1, "0-0"));
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aChangedValueSerdeIsRefusedWithOperatorAndStateInTheMessage(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    JsonObject handle = snapshotWithCount(kind, root);
    try (AbstractKeyedStateBackend b = kind.create(dir, "counter", 128, 0, 127)) {
      b.restore(List.of(handle), root);
      assertThatThrownBy(() -> b.getState(new ValueStateDescriptor<>("count", String.class)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("operator 'counter': state 'count' was written as eddy.long:1 but is now read as eddy.string:1");
      assertThatThrownBy(() -> b.getListState(new ListStateDescriptor<>("count", Long.class)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("operator 'counter'").hasMessageContaining("state 'count'")
          .hasMessageContaining("value state");
      assertThatThrownBy(() -> b.getState(new ValueStateDescriptor<>("count", Long.class)
              .enableTimeToLive(StateTtlConfig.of(Duration.ofSeconds(1)))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("operator 'counter'").hasMessageContaining("state 'count'")
          .hasMessageContaining("time-to-live");
      assertThatThrownBy(() -> b.getMapState(new MapStateDescriptor<>("seen", Integer.class, Long.class)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("state 'seen' was written as eddy.string:1,eddy.long:1 but is now read as"
              + " eddy.int:1,eddy.long:1");
      // the right descriptor still works after the refusals, and sees the data
      ValueState<Long> count = b.getState(new ValueStateDescriptor<>("count", Long.class));
      b.setCurrentKey("k7");
      assertThat(count.value()).isEqualTo(7L);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aChangedKeySerdeIsRefused(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    JsonObject handle = snapshotWithCount(kind, root);
    assertThat(handle.getString("keySerde")).isEqualTo("eddy.string:1");
    AbstractKeyedStateBackend b = switch (kind) {
      case HEAP -> new HeapKeyedStateBackend("counter", 128, 0, 127, SerdeRegistry.withBuiltIns(),
          Serdes.nullable(Serdes.STRING));
      case ROCKSDB -> new RocksDbKeyedStateBackend(dir, "counter", 128, 0, 127, SerdeRegistry.withBuiltIns(),
          null, Serdes.nullable(Serdes.STRING));
    };
    try (b) {
      assertThatThrownBy(() -> b.restore(List.of(handle), root))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("operator 'counter'")
          .hasMessageContaining("eddy.string:1").hasMessageContaining("eddy.nullable<eddy.string:1>:1");
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void anotherBackendsSnapshotIsRefused(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    Backend other = kind == Backend.HEAP ? Backend.ROCKSDB : Backend.HEAP;
    JsonObject handle = snapshotWithCount(other, root);
    try (AbstractKeyedStateBackend b = kind.create(dir, "counter", 128, 0, 127)) {
      assertThatThrownBy(() -> b.restore(List.of(handle), root))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("operator 'counter'").hasMessageContaining("stateBackend");
    }
  }

  /** A key class of the job: its keys are records. */
  record Account(String bank, long number) {}

  /** Whether Poison was initialized: a class of its own, so that reading it does not initialize Poison. */
  static final class PoisonEffects {
    static final java.util.concurrent.atomic.AtomicBoolean INITIALIZED = new java.util.concurrent.atomic.AtomicBoolean();
  }

  /** On the class path, never a key of this job; its static initializer must not run. */
  record Poison(String x) {
    static {
      PoisonEffects.INITIALIZED.set(true);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aSnapshotKeyClassOutsideTheJobsTypesIsRefusedOnRestore(Backend kind) throws Exception {
    Path root = dir.resolve("checkpoints");
    JsonObject handle;
    // the plan's key type (Account) is what a task's registry allows before restoring
    try (AbstractKeyedStateBackend b = kind.create(dir.resolve("w"), "accounts", 128, 0, 127,
        SerdeRegistry.withBuiltIns().allow(Account.class))) {
      ValueState<Long> balance = b.getState(new ValueStateDescriptor<>("balance", Long.class));
      for (int i = 0; i < 10; i++) {
        b.setCurrentKey(new Account("b", i));
        balance.update(100L + i);
      }
      handle = StateTestSupport.snapshot(b, Target.of(root, 1, "0-0"));
    }
    assertThat(handle.getString("keyClass")).isEqualTo(Account.class.getName());

    // a job whose plan has no Account key refuses the snapshot before reading a key
    try (AbstractKeyedStateBackend b = kind.create(dir.resolve("x"), "accounts", 128, 0, 127,
        SerdeRegistry.withBuiltIns())) {
      assertThatThrownBy(() -> b.restore(List.of(handle), root))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("operator 'accounts': snapshot key class: names class " + Account.class.getName()
              + ", which is not a type this job can carry");
    }
    // a snapshot (tampered, or of another job) naming any other class: refused, nothing of it initialized
    JsonObject poisoned = handle.copy().put("keyClass", RestoreCompatibilityTest.class.getName() + "$Poison");
    try (AbstractKeyedStateBackend b = kind.create(dir.resolve("y"), "accounts", 128, 0, 127,
        SerdeRegistry.withBuiltIns().allow(Account.class))) {
      assertThatThrownBy(() -> b.restore(List.of(poisoned), root))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("names class " + RestoreCompatibilityTest.class.getName() + "$Poison, which is not"
              + " a type this job can carry")
          .hasMessageContaining("registerType(Poison.class)");
    }
    assertThat(PoisonEffects.INITIALIZED).as("Poison's static initializer ran").isFalse();
    // the job that does key by Account restores it
    try (AbstractKeyedStateBackend b = kind.create(dir.resolve("z"), "accounts", 128, 0, 127,
        SerdeRegistry.withBuiltIns().allow(Account.class))) {
      b.restore(List.of(handle), root);
      ValueState<Long> balance = b.getState(new ValueStateDescriptor<>("balance", Long.class));
      b.setCurrentKey(new Account("b", 7));
      assertThat(balance.value()).isEqualTo(107L);
    }
  }
}
