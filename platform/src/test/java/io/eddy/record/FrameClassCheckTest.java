package io.eddy.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.serde.DataWriter;
import io.eddy.serde.SerdeException;
import io.eddy.serde.SerdeRegistry;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A frame names the classes of its records; the receiver resolves only what the job can carry. */
class FrameClassCheckTest {
  /** Counts what the gadget below did; a separate class, so that reading it does not initialize the gadget. */
  static final class Effects {
    static final AtomicInteger INITIALIZED = new AtomicInteger();
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();
  }

  /** Serializable and on the class path, like a deserialization gadget. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    static {
      Effects.INITIALIZED.incrementAndGet();
    }

    Gadget() {
      Effects.CONSTRUCTED.incrementAndGet();
    }
  }

  record Reading(String sensor, long value) {}

  private static byte[] frameNaming(String className, byte[] payload) {
    DataWriter out = new DataWriter(64);
    out.writeInt(2);
    out.writeInt(1);
    out.writeLong(7);
    out.writeByte(FrameEncoder.TAG_CLASS);
    out.writeString(className);
    out.writeByte(FrameEncoder.TAG_RECORD);
    out.writeVarInt(0);
    out.writeBytes(payload);
    out.writeByte(FrameEncoder.TAG_END);
    return out.toByteArray();
  }

  private static FrameDecoder decoder() {
    return new FrameDecoder(SerdeRegistry.withBuiltIns(), FrameClassCheckTest.class.getClassLoader());
  }

  @Test
  void aFrameNamingASerializableClassIsRefusedAndNothingOfItRuns() {
    String name = FrameClassCheckTest.class.getName() + "$Gadget";
    // what Java serialization of a Gadget would look like does not matter: the name alone is refused
    byte[] frame = frameNaming(name, new byte[] {5, (byte) 0xAC, (byte) 0xED, 0, 5, 0x70});
    assertThatThrownBy(() -> decoder().decode(frame, 0, frame.length))
        .isInstanceOf(SerdeException.class)
        .hasMessage("frame on edge 2 channel 1: names class " + name + ", which is not a type this job can carry"
            + " (built-in types, serdes the job registered, the job's records and enums); refused");
    assertThat(Effects.INITIALIZED.get()).as("static initializer").isZero();
    assertThat(Effects.CONSTRUCTED.get()).as("constructor").isZero();
  }

  @Test
  void jdkClassesInterfacesAndNonNamesAreRefused() {
    for (String name : new String[] {"java.util.PriorityQueue", "javax.management.BadAttributeValueExpException",
        "java.lang.Runnable", "java.lang.Thread"}) {
      byte[] frame = frameNaming(name, new byte[] {0});
      assertThatThrownBy(() -> decoder().decode(frame, 0, frame.length)).as(name)
          .isInstanceOf(SerdeException.class).hasMessageContaining("names class " + name + ", which is not a type");
    }
    byte[] gadgets = frameNaming("[L" + FrameClassCheckTest.class.getName() + "$Gadget;", new byte[] {0});
    assertThatThrownBy(() -> decoder().decode(gadgets, 0, gadgets.length))
        .hasMessageContaining("$Gadget, which is not a type this job can carry");
    assertThat(Effects.INITIALIZED.get()).isZero();
    byte[] weird = frameNaming("[Xjava.lang.Object", new byte[] {0});
    assertThatThrownBy(() -> decoder().decode(weird, 0, weird.length))
        .hasMessageContaining("which is not a class name; refused");
    byte[] missing = frameNaming("com.example.Missing", new byte[] {0});
    assertThatThrownBy(() -> decoder().decode(missing, 0, missing.length))
        .hasMessageContaining("names class com.example.Missing, which this node cannot load");
  }

  @Test
  void theJobsRecordsAndBuiltInsStillTravel() {
    SerdeRegistry sender = SerdeRegistry.withBuiltIns();
    FrameEncoder enc = new FrameEncoder(sender, 64);
    enc.begin(0, 0, 1);
    enc.add(new Reading("a", 3), Frame.NO_TIMESTAMP);
    enc.add("text", 5);
    enc.add(42L, Frame.NO_TIMESTAMP);
    enc.add(new long[] {1, -2, Long.MAX_VALUE}, Frame.NO_TIMESTAMP);
    enc.add(new Reading[] {new Reading("b", 1), null}, Frame.NO_TIMESTAMP);
    enc.add(new java.util.TreeMap<>(java.util.Map.of("k", java.util.List.of(1, 2))), Frame.NO_TIMESTAMP);
    enc.add(java.util.Set.of("s"), Frame.NO_TIMESTAMP);
    byte[] bytes = enc.finish();
    Frame f = decoder().decode(bytes, 0, bytes.length); // a fresh registry that has never seen Reading
    assertThat(f.size()).isEqualTo(7);
    assertThat(f.element(5)).isInstanceOf(java.util.TreeMap.class)
        .isEqualTo(java.util.Map.of("k", java.util.List.of(1, 2)));
    assertThat(f.element(6)).isInstanceOf(java.util.HashSet.class).isEqualTo(java.util.Set.of("s"));
    assertThat((long[]) f.element(3)).containsExactly(1, -2, Long.MAX_VALUE);
    assertThat((Reading[]) f.element(4)).containsExactly(new Reading("b", 1), null);
    assertThat(f.element(0)).isEqualTo(new Reading("a", 3));
    assertThat(f.element(1)).isEqualTo("text");
    assertThat(f.element(2)).isEqualTo(42L);
  }
}
