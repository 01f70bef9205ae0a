package io.eddy.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.config.JobConfig;
import io.eddy.config.JobParams;
import io.eddy.connector.Sink;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.graph.JobDefinition;
import io.eddy.serde.DataWriter;
import io.eddy.serde.SerdeException;
import io.eddy.serde.SerdeRegistry;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A frame names the classes of its records; the receiver resolves only what the job's plan can carry (its edges'
 * record types and what their serdes name), and the sender writes only those.
 */
class FrameClassCheckTest {
  /** Counts what the classes below did; a separate class, so that reading it initializes none of them. */
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

  /** A record of the job's code base that is on no edge of this job, with side effects. */
  record Unrelated(String command) {
    static {
      Effects.INITIALIZED.incrementAndGet();
    }

    Unrelated {
      Effects.CONSTRUCTED.incrementAndGet();
    }
  }

  enum Level {
    LOW,
    HIGH {
      @Override
      public String toString() {
        return "high!";
      }
    }
  }

  sealed interface Reason permits Spike, Gap {}

  record Spike(double by) implements Reason {}

  record Gap(long millis) implements Reason {}

  record Tag(String name) {}

  record Reading(String sensor, long value, List<Tag> tags) {}

  record Alert(String sensor, Level level, Reason reason, Map<String, long[]> history, Object note) {}

  /** Emitted only dynamically (in Alert's Object note); the job declares it with registerType. */
  record Note(String text) {}

  /** Never declared anywhere. */
  record Undeclared(String text) {}

  static final class Readings implements Source<Reading> {
    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("planning only");
    }

    @Override
    public SourceReader<Reading> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("planning only");
    }
  }

  static final class Detect extends KeyedProcessFunction<String, Reading, Alert> {
    @Override
    public void processElement(Reading value, Context<String> ctx, Collector<Alert> out) {}
  }

  /** The job: readings keyed by sensor into alerts. */
  public static final class AlertJob implements StreamJob {
    @Override
    public void build(Pipeline pipeline, JobParams params) {
      pipeline.registerType(Note.class);
      Sink<Alert> sink = context -> {
        throw new UnsupportedOperationException("planning only");
      };
      pipeline.source("readings", new Readings())
          .keyBy(Reading::sensor)
          .process(new Detect()).name("detect")
          .sink(sink);
    }
  }

  /** A task's registry: the job instantiated as a node does it (graph, plan, carried types). */
  private static SerdeRegistry taskSerdes() {
    JobConfig config = JobConfig.parse("{\"job\": \"" + AlertJob.class.getName() + "\"}", "test");
    return new JobDefinition(config, new AlertJob()).instantiate().pipeline().serdes();
  }

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
    return new FrameDecoder(taskSerdes(), FrameClassCheckTest.class.getClassLoader());
  }

  @Test
  void aFrameNamingAnEddyInternalRecordAJobRecordOffThePlanOrAGadgetIsRefusedAndNothingOfItRuns() {
    String[] names = {
      FrameClassCheckTest.class.getName() + "$Gadget",
      FrameClassCheckTest.class.getName() + "$Unrelated",
      JobDefinition.class.getName(), // an Eddy-internal record (its canonical constructor takes a StreamJob)
      io.eddy.api.BadRecord.class.getName(), // Eddy's own record, but this job has no dead-letter edge
      Undeclared.class.getName()
    };
    for (String name : names) {
      byte[] frame = frameNaming(name, new byte[] {5, (byte) 0xAC, (byte) 0xED, 0, 5, 0x70});
      assertThatThrownBy(() -> decoder().decode(frame, 0, frame.length)).as(name)
          .isInstanceOf(SerdeException.class)
          .hasMessageStartingWith("frame on edge 2 channel 1: names class " + name + ", which is not a type this job"
              + " can carry (the record types of its edges, its keys and state")
          .hasMessageContaining("; refused. If the job does send it, declare it: .returns(");
    }
    assertThat(Effects.INITIALIZED.get()).as("static initializers").isZero();
    assertThat(Effects.CONSTRUCTED.get()).as("constructors").isZero();
  }

  @Test
  void jdkClassesInterfacesArraysAndNonNamesAreRefused() {
    for (String name : new String[] {"java.util.PriorityQueue", "javax.management.BadAttributeValueExpException",
        "java.lang.Runnable", "java.lang.Thread", "java.lang.Object", "com.example.Missing",
        FrameClassCheckTest.class.getName() + "$Reason", // an interface: only its permitted records travel
        "[L" + FrameClassCheckTest.class.getName() + "$Gadget;", "[Ljava.lang.Thread;"}) {
      byte[] frame = frameNaming(name, new byte[] {0});
      assertThatThrownBy(() -> decoder().decode(frame, 0, frame.length)).as(name)
          .isInstanceOf(SerdeException.class).hasMessageContaining("names class " + name + ", which is not a type");
    }
    byte[] weird = frameNaming("[Xjava.lang.Object", new byte[] {0});
    assertThatThrownBy(() -> decoder().decode(weird, 0, weird.length))
        .hasMessageContaining("names class [Xjava.lang.Object, which is not a type this job can carry");
    byte[] notAName = frameNaming("java.lang.Thread; rm -rf", new byte[] {0});
    assertThatThrownBy(() -> decoder().decode(notAName, 0, notAName.length))
        .hasMessageContaining("which is not a class name; refused");
    assertThat(Effects.INITIALIZED.get()).isZero();
  }

  @Test
  void thePlansRecordsAndWhatTheirSerdesNameTravel() {
    FrameEncoder enc = new FrameEncoder(taskSerdes(), 64);
    enc.begin(0, 0, 1);
    Reading reading = new Reading("a", 3, List.of(new Tag("t")));
    Alert alert = new Alert("a", Level.HIGH, new Spike(2.5), Map.of("h", new long[] {1, 2}), new Note("n"));
    Alert plain = new Alert("b", Level.LOW, new Gap(10), Map.of(), List.of("x", 1L));
    enc.add(reading, Frame.NO_TIMESTAMP);
    enc.add(alert, 5);
    enc.add(plain, 6);
    enc.add("text", Frame.NO_TIMESTAMP);
    enc.add(Level.HIGH, Frame.NO_TIMESTAMP); // a constant with a body is an anonymous subclass
    enc.add(new java.util.TreeMap<>(Map.of("k", List.of(1, 2))), Frame.NO_TIMESTAMP);
    byte[] bytes = enc.finish();
    Frame f = decoder().decode(bytes, 0, bytes.length); // another task of the job
    assertThat(f.size()).isEqualTo(6);
    assertThat(f.element(0)).isEqualTo(reading);
    Alert back = (Alert) f.element(1);
    assertThat(back.level()).isEqualTo(Level.HIGH);
    assertThat(back.reason()).isEqualTo(new Spike(2.5));
    assertThat(back.history().get("h")).containsExactly(1, 2);
    assertThat(back.note()).isEqualTo(new Note("n"));
    assertThat(f.element(2)).isEqualTo(plain);
    assertThat(f.element(4)).isEqualTo(Level.HIGH);
    assertThat(f.element(5)).isEqualTo(Map.of("k", List.of(1, 2)));
  }

  @Test
  void aSenderEmittingAnUndeclaredClassFailsThereNamingTheClassAndTheFix() {
    FrameEncoder enc = new FrameEncoder(taskSerdes(), 64);
    enc.begin(3, 0, 1);
    assertThatThrownBy(() -> enc.add(new Undeclared("u"), Frame.NO_TIMESTAMP))
        .isInstanceOf(SerdeException.class)
        .hasMessage("frame on edge 3 channel 0: a value of class " + Undeclared.class.getName() + ", which is not a"
            + " type this job can carry (the record types of its edges, its keys and state, what their serdes name,"
            + " built-in types, serdes the job registered, and Pipeline.registerType); refused. Declare it:"
            + " .returns(Undeclared.class) on the operator that emits it, or pipeline.registerType(Undeclared.class)"
            + " if it travels inside an Object or interface field");
    // inside a dynamically typed component: the same check, per value class
    FrameEncoder dynamic = new FrameEncoder(taskSerdes(), 64);
    dynamic.begin(3, 0, 2);
    Alert carrying = new Alert("a", Level.LOW, new Gap(1), Map.of(), new Undeclared("in a note"));
    assertThatThrownBy(() -> dynamic.add(carrying, Frame.NO_TIMESTAMP))
        .isInstanceOf(SerdeException.class)
        .hasMessageStartingWith("a dynamically typed value: a value of class " + Undeclared.class.getName()
            + ", which is not a type this job can carry");
  }

  @Test
  void aValueInsideARecordNamingAClassOffThePlanIsRefusedNamingTheFrame() {
    // a sender that does not check (another program on the event bus) puts an undeclared class in the Object note
    SerdeRegistry rogue = taskSerdes().allow(Undeclared.class);
    FrameEncoder enc = new FrameEncoder(rogue, 64);
    enc.begin(4, 2, 9);
    enc.add(new Alert("a", Level.LOW, new Gap(1), Map.of(), new Undeclared("smuggled")), Frame.NO_TIMESTAMP);
    byte[] bytes = enc.finish();
    assertThatThrownBy(() -> decoder().decode(bytes, 0, bytes.length))
        .isInstanceOf(SerdeException.class)
        .hasMessageStartingWith("frame on edge 4 channel 2: a dynamically typed value: names class "
            + Undeclared.class.getName() + ", which is not a type this job can carry");
  }
}
