package io.eddy.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.serde.SerdeException;
import io.eddy.serde.SerdeRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameRoundTripTest {

  enum Side { BUY, SELL }

  record Trade(String symbol, long qty, double price, Side side, List<String> tags, Map<String, Integer> extra) {}

  record Point(int x, int y) {}

  /** An element and its timestamp, for comparing frames. */
  record Entry(Object element, long timestamp) {}

  /** Both ends know the job's record types, as a task's registry does from its plan. */
  private final SerdeRegistry serdes = SerdeRegistry.withBuiltIns().allow(Trade.class).allow(Point.class);
  private final FrameEncoder encoder = new FrameEncoder(serdes, 64);
  private final FrameDecoder decoder = new FrameDecoder(serdes, getClass().getClassLoader());

  private Frame roundTrip(int edge, int channel, long sequence, List<Entry> entries) {
    encoder.begin(edge, channel, sequence);
    for (Entry e : entries) {
      encoder.add(e.element(), e.timestamp());
    }
    assertThat(encoder.count()).isEqualTo(entries.size());
    byte[] bytes = encoder.finish();
    assertThat(encoder.bytes()).isEqualTo(bytes.length);
    // decode from the middle of a larger array, as a receiver of a bigger buffer would
    byte[] padded = new byte[bytes.length + 10];
    System.arraycopy(bytes, 0, padded, 7, bytes.length);
    return decoder.decode(padded, 7, bytes.length);
  }

  private static List<Entry> entriesOf(Frame f) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      out.add(new Entry(f.element(i), f.timestamp(i)));
    }
    return out;
  }

  private static void assertSameElements(List<Entry> actual, List<Entry> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Entry a = actual.get(i);
      Entry e = expected.get(i);
      assertThat(a.timestamp()).as("timestamp of element %d", i).isEqualTo(e.timestamp());
      assertThat(a.element()).as("element %d", i).isEqualTo(e.element());
      assertThat(a.element().getClass()).as("class of element %d", i).isEqualTo(e.element().getClass());
    }
  }

  @Test
  void mixedRecordsWatermarksAndEndOfInputSurviveInOrderWithTheirTimestamps() {
    long noTs = Frame.NO_TIMESTAMP;
    List<Entry> in = List.of(
        new Entry("hello", noTs),
        new Entry(42L, 1_700_000_000_000L),
        new Entry(new Trade("ACME", 100, 12.5, Side.BUY, List.of("a", "b"), Map.of("k", 1)), 5L),
        new Entry("Élan \uD835\uDD18 ☃", -3L),
        new Watermarked(new Watermark(1_700_000_000_000L)).entry(),
        new Entry(-7L, noTs),
        new Entry(new Trade(null, -1, Double.NaN, Side.SELL, List.of(), Map.of()), Long.MAX_VALUE),
        new Entry("", Long.MIN_VALUE + 1),
        new Entry(new Point(-1, Integer.MAX_VALUE), 0L),
        new Entry(Long.MIN_VALUE, noTs),
        new Watermarked(new Watermark(-5)).entry(),
        new Watermarked(Watermark.END).entry(),
        new Entry(EndOfInput.INSTANCE, noTs));

    Frame out = roundTrip(3, 1, 77, in);

    assertThat(out.edge()).isEqualTo(3);
    assertThat(out.channel()).isEqualTo(1);
    assertThat(out.sequence()).isEqualTo(77);
    assertSameElements(entriesOf(out), in);
    assertThat(out.element(12)).isSameAs(EndOfInput.INSTANCE);
  }

  @Test
  void recordsWithoutTimestampsKeepNoTimestamp() {
    List<Entry> in = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Object e = switch (i % 3) {
        case 0 -> "s" + i;
        case 1 -> (long) i * 1_000_000_007L;
        default -> new Point(i, -i);
      };
      in.add(new Entry(e, Frame.NO_TIMESTAMP));
    }
    Frame out = roundTrip(0, 0, 0, in);
    assertSameElements(entriesOf(out), in);
    for (int i = 0; i < out.size(); i++) {
      assertThat(out.timestamp(i)).isEqualTo(Frame.NO_TIMESTAMP);
    }
  }

  @Test
  void controlOnlyAndEmptyFramesRoundTrip() {
    Frame empty = roundTrip(1, 2, 3, List.of());
    assertThat(empty.size()).isZero();
    assertThat(empty.sequence()).isEqualTo(3);

    List<Entry> control = List.of(new Watermarked(new Watermark(Long.MIN_VALUE + 1)).entry(),
        new Entry(EndOfInput.INSTANCE, Frame.NO_TIMESTAMP));
    assertSameElements(entriesOf(roundTrip(1, 2, 4, control)), control);
  }

  @Test
  void consecutiveFramesFromOneEncoderEachDefineTheirOwnClasses() {
    // frame 1 defines String as class 0, frame 2 defines Point as class 0: the decoder must not
    // carry the first frame's class table into the second, and the encoder must redefine classes.
    List<Entry> first = List.of(new Entry("a", 1L), new Entry(new Point(1, 2), 2L));
    List<Entry> second = List.of(new Entry(new Point(3, 4), 3L), new Entry("b", 4L), new Entry(9L, 5L));
    List<Entry> third = List.of(new Entry("c", 6L));

    assertSameElements(entriesOf(roundTrip(0, 0, 0, first)), first);
    assertSameElements(entriesOf(roundTrip(0, 0, 1, second)), second);
    assertSameElements(entriesOf(roundTrip(0, 0, 2, third)), third);

    // frames decoded in another order by a fresh decoder are self-contained
    encoder.begin(0, 0, 1);
    second.forEach(e -> encoder.add(e.element(), e.timestamp()));
    byte[] secondBytes = encoder.finish();
    FrameDecoder other = new FrameDecoder(serdes, getClass().getClassLoader());
    assertSameElements(entriesOf(other.decode(secondBytes, 0, secondBytes.length)), second);
  }

  @Test
  void beginDiscardsAnUnfinishedFrame() {
    encoder.begin(0, 0, 0);
    encoder.add("dropped", 1L);
    List<Entry> kept = List.of(new Entry("kept", 2L));
    Frame out = roundTrip(0, 0, 1, kept);
    assertSameElements(entriesOf(out), kept);
  }

  @Test
  void aTruncatedOrCorruptFrameIsReportedNotMisread() {
    encoder.begin(0, 0, 0);
    encoder.add("abc", Frame.NO_TIMESTAMP);
    byte[] bytes = encoder.finish();
    byte[] corrupt = Arrays.copyOf(bytes, bytes.length);
    corrupt[corrupt.length - 1] = 99; // the end tag replaced by an unknown tag
    assertThatThrownBy(() -> decoder.decode(corrupt, 0, corrupt.length))
        .isInstanceOf(SerdeException.class)
        .hasMessageContaining("unknown tag 99");
    assertThatThrownBy(() -> decoder.decode(bytes, 0, bytes.length - 1))
        .isInstanceOf(SerdeException.class)
        .hasMessageContaining("Truncated");
  }

  @Test
  void aClassTheReceiversJobDoesNotCarryIsRefusedNamingIt() {
    encoder.begin(0, 0, 0);
    encoder.add(new Point(1, 1), Frame.NO_TIMESTAMP);
    byte[] bytes = encoder.finish();
    ClassLoader empty = new ClassLoader(null) {};
    // another job's receiver, whose plan has no Point
    FrameDecoder blind = new FrameDecoder(io.eddy.serde.SerdeRegistry.withBuiltIns(), empty);
    assertThatThrownBy(() -> blind.decode(bytes, 0, bytes.length))
        .isInstanceOf(SerdeException.class)
        .hasMessageContaining(Point.class.getName() + ", which is not a type this job can carry");
  }

  /** Control elements travel with no timestamp. */
  private record Watermarked(Watermark w) {
    Entry entry() {
      return new Entry(w, Frame.NO_TIMESTAMP);
    }
  }
}
