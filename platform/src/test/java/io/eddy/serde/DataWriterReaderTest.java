package io.eddy.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataWriterReaderTest {

    private static DataReader readerOf(DataWriter w) {
        return new DataReader(w.array(), 0, w.size());
    }

    @Test
    void fixedWidthValuesAreBigEndianAndRoundTrip() {
        DataWriter w = new DataWriter(1);
        w.writeInt(0x01020304);
        w.writeShort(0xA0B0);
        w.writeLong(0x0102030405060708L);
        assertThat(w.toByteArray()).containsExactly(1, 2, 3, 4, 0xA0, 0xB0, 1, 2, 3, 4, 5, 6, 7, 8);

        DataReader r = readerOf(w);
        assertThat(r.readInt()).isEqualTo(0x01020304);
        assertThat(r.readShort()).isEqualTo((short) 0xA0B0);
        assertThat(r.readLong()).isEqualTo(0x0102030405060708L);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void everyPrimitiveRoundTripsItsEdgeValues() {
        DataWriter w = new DataWriter(0);
        w.writeByte(Byte.MIN_VALUE);
        w.writeByte(Byte.MAX_VALUE);
        w.writeBoolean(true);
        w.writeBoolean(false);
        w.writeShort(Short.MIN_VALUE);
        w.writeShort(Short.MAX_VALUE);
        w.writeChar(Character.MAX_VALUE);
        w.writeChar('é');
        w.writeInt(Integer.MIN_VALUE);
        w.writeInt(Integer.MAX_VALUE);
        w.writeLong(Long.MIN_VALUE);
        w.writeLong(Long.MAX_VALUE);
        w.writeFloat(Float.NaN);
        w.writeFloat(-0.0f);
        w.writeFloat(Float.MIN_VALUE);
        w.writeDouble(Double.NEGATIVE_INFINITY);
        w.writeDouble(Double.MAX_VALUE);
        w.writeDouble(-0.0d);

        DataReader r = readerOf(w);
        assertThat(r.readByte()).isEqualTo(Byte.MIN_VALUE);
        assertThat(r.readByte()).isEqualTo(Byte.MAX_VALUE);
        assertThat(r.readBoolean()).isTrue();
        assertThat(r.readBoolean()).isFalse();
        assertThat(r.readShort()).isEqualTo(Short.MIN_VALUE);
        assertThat(r.readShort()).isEqualTo(Short.MAX_VALUE);
        assertThat(r.readChar()).isEqualTo(Character.MAX_VALUE);
        assertThat(r.readChar()).isEqualTo('é');
        assertThat(r.readInt()).isEqualTo(Integer.MIN_VALUE);
        assertThat(r.readInt()).isEqualTo(Integer.MAX_VALUE);
        assertThat(r.readLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(r.readLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(r.readFloat()).isNaN();
        assertThat(Float.floatToRawIntBits(r.readFloat())).isEqualTo(Float.floatToRawIntBits(-0.0f));
        assertThat(r.readFloat()).isEqualTo(Float.MIN_VALUE);
        assertThat(r.readDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.readDouble()).isEqualTo(Double.MAX_VALUE);
        assertThat(Double.doubleToRawLongBits(r.readDouble())).isEqualTo(Double.doubleToRawLongBits(-0.0d));
        assertThat(r.remaining()).isZero();
    }

    static Stream<Arguments> varInts() {
        return Stream.of(
                Arguments.of(0, 1), Arguments.of(1, 1), Arguments.of(127, 1), Arguments.of(128, 2),
                Arguments.of(16_383, 2), Arguments.of(16_384, 3), Arguments.of(Integer.MAX_VALUE, 5),
                Arguments.of(-1, 5), Arguments.of(Integer.MIN_VALUE, 5));
    }

    @ParameterizedTest
    @MethodSource("varInts")
    void varIntIsUnsignedLeb128(int value, int expectedBytes) {
        DataWriter w = new DataWriter(2);
        w.writeVarInt(value);
        assertThat(w.size()).isEqualTo(expectedBytes);
        DataReader r = readerOf(w);
        assertThat(r.readVarInt()).isEqualTo(value);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void varIntMatchesLeb128Bytes() {
        DataWriter w = new DataWriter(8);
        w.writeVarInt(300);
        assertThat(w.toByteArray()).containsExactly(0xAC, 0x02);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 127, 128, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 35, -(1L << 40)})
    void varLongRoundTrips(long value) {
        DataWriter w = new DataWriter(4);
        w.writeVarLong(value);
        assertThat(w.size()).isEqualTo(value < 0 ? 10 : Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7));
        assertThat(readerOf(w).readVarLong()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 63, -64, 64, -65, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE})
    void zigZagLongRoundTripsAndKeepsSmallNegativesShort(long value) {
        DataWriter w = new DataWriter(4);
        w.writeZigZagLong(value);
        if (value >= -64 && value <= 63) {
            assertThat(w.size()).isEqualTo(1);
        }
        if (value == Long.MIN_VALUE || value == Long.MAX_VALUE) {
            assertThat(w.size()).isEqualTo(10);
        }
        assertThat(readerOf(w).readZigZagLong()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1, 63, -64, -65, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void zigZagIntRoundTrips(int value) {
        DataWriter w = new DataWriter(4);
        w.writeZigZagInt(value);
        assertThat(w.size()).isLessThanOrEqualTo(value >= -64 && value <= 63 ? 1 : 5);
        assertThat(readerOf(w).readZigZagInt()).isEqualTo(value);
    }

    static Stream<String> strings() {
        return Stream.of("", "a", "hello world", "héllo", "日本語テキスト", "emoji 😀 and 𝄞 clef", "\u0000nul",
                "x".repeat(127), "y".repeat(128), "z".repeat(20_000),
                "a".repeat(200) + "ü", // ASCII prefix long enough that the length varint changes size on fallback
                "ß".repeat(70));
    }

    @ParameterizedTest
    @MethodSource("strings")
    void stringsRoundTripAndMatchJdkUtf8(String s) {
        DataWriter w = new DataWriter(1);
        w.writeString(s);
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        DataReader r = readerOf(w);
        assertThat(r.readVarInt()).isEqualTo(utf8.length + 1);
        assertThat(r.readBytes(utf8.length)).isEqualTo(utf8);
        assertThat(r.hasRemaining()).isFalse();

        assertThat(readerOf(w).readString()).isEqualTo(s);
    }

    @Test
    void nullStringIsOneZeroByte() {
        DataWriter w = new DataWriter(4);
        w.writeString(null);
        w.writeString("");
        assertThat(w.toByteArray()).containsExactly(0, 1);
        DataReader r = readerOf(w);
        assertThat(r.readString()).isNull();
        assertThat(r.readString()).isEmpty();
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarksLikeTheJdk() {
        String s = "a\uD800b\uDC00";
        DataWriter w = new DataWriter(4);
        w.writeString(s);
        assertThat(readerOf(w).readString()).isEqualTo(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("a?b?");
    }

    @Test
    void growsByDoublingAndKeepsContent() {
        DataWriter w = new DataWriter(4);
        for (int i = 0; i < 10_000; i++) {
            w.writeInt(i);
        }
        assertThat(w.size()).isEqualTo(40_000);
        assertThat(Integer.bitCount(w.array().length)).as("doubling from 4 gives a power of two").isEqualTo(1);
        DataReader r = readerOf(w);
        for (int i = 0; i < 10_000; i++) {
            assertThat(r.readInt()).isEqualTo(i);
        }
    }

    @Test
    void resetKeepsTheArrayAndDiscardsContent() {
        DataWriter w = new DataWriter(16);
        w.writeLong(42);
        byte[] before = w.array();
        w.reset();
        assertThat(w.size()).isZero();
        assertThat(w.position()).isZero();
        assertThat(w.array()).isSameAs(before);
        w.writeByte(7);
        assertThat(w.toByteArray()).containsExactly(7);
    }

    @Test
    void backPatchesALengthWithPutInt() {
        DataWriter w = new DataWriter(8);
        int lengthAt = w.size();
        w.writeInt(0); // placeholder
        w.writeString("payload");
        w.writeLong(5);
        w.putInt(lengthAt, w.size() - lengthAt - 4);

        DataReader r = readerOf(w);
        assertThat(r.readInt()).isEqualTo(8 + 8);
        assertThat(r.readString()).isEqualTo("payload");
        assertThat(r.readLong()).isEqualTo(5);
    }

    @Test
    void positionCanMoveBackToPatchWithoutLosingTheTail() {
        DataWriter w = new DataWriter(8);
        w.writeShort(0);
        w.writeInt(99);
        int end = w.size();
        w.position(0);
        w.writeShort(6);
        assertThat(w.size()).as("size keeps the tail after moving back").isEqualTo(end);
        w.position(end);
        w.writeByte(1);

        DataReader r = readerOf(w);
        assertThat(r.readShort()).isEqualTo((short) 6);
        assertThat(r.readInt()).isEqualTo(99);
        assertThat(r.readByte()).isEqualTo((byte) 1);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void writerRejectsPositionsOutsideTheWrittenRange() {
        DataWriter w = new DataWriter(8);
        w.writeShort(1);
        assertThatThrownBy(() -> w.position(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> w.putInt(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writeBytesCopiesTheSlice() {
        DataWriter w = new DataWriter(1);
        w.writeBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
        w.writeBytes(new byte[0], 0, 0);
        assertThat(w.toByteArray()).containsExactly(2, 3, 4);
        assertThat(readerOf(w).readBytes(0)).isEmpty();
    }

    @Test
    void readerStaysInsideItsWindow() {
        byte[] buf = {9, 9, 0, 0, 0, 7, 9, 9};
        DataReader r = new DataReader(buf, 2, 6);
        assertThat(r.position()).isEqualTo(2);
        assertThat(r.remaining()).isEqualTo(4);
        assertThat(r.readInt()).isEqualTo(7);
        assertThat(r.hasRemaining()).isFalse();
        assertThatThrownBy(r::readByte).isInstanceOf(SerdeException.class).hasMessageContaining("position 6");

        r.reset(buf, 0, 1);
        assertThat(r.readByte()).isEqualTo((byte) 9);
    }

    static Stream<Arguments> truncatedReads() {
        return Stream.of(
                Arguments.of("readByte", (Consumer<DataReader>) DataReader::readByte, 0),
                Arguments.of("readBoolean", (Consumer<DataReader>) DataReader::readBoolean, 0),
                Arguments.of("readShort", (Consumer<DataReader>) DataReader::readShort, 1),
                Arguments.of("readChar", (Consumer<DataReader>) DataReader::readChar, 1),
                Arguments.of("readInt", (Consumer<DataReader>) DataReader::readInt, 3),
                Arguments.of("readLong", (Consumer<DataReader>) DataReader::readLong, 7),
                Arguments.of("readFloat", (Consumer<DataReader>) DataReader::readFloat, 3),
                Arguments.of("readDouble", (Consumer<DataReader>) DataReader::readDouble, 7),
                Arguments.of("readVarInt", (Consumer<DataReader>) DataReader::readVarInt, 2),
                Arguments.of("readVarLong", (Consumer<DataReader>) DataReader::readVarLong, 6),
                Arguments.of("readZigZagLong", (Consumer<DataReader>) DataReader::readZigZagLong, 4),
                Arguments.of("readBytes", (Consumer<DataReader>) r -> r.readBytes(5), 4),
                Arguments.of("readString", (Consumer<DataReader>) DataReader::readString, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("truncatedReads")
    void truncatedInputThrowsSerdeExceptionWithPosition(String name, Consumer<DataReader> read, int available) {
        // continuation bits set so truncated varints really are incomplete; 0x0A = string of 9 bytes
        byte[] buf = new byte[16];
        java.util.Arrays.fill(buf, (byte) 0x80);
        buf[3] = 0x0A;
        int offset = 3;
        if (!name.equals("readString")) {
            buf[3] = (byte) 0x80;
        }
        DataReader r = new DataReader(buf, offset, offset + available);
        assertThatThrownBy(() -> read.accept(r))
                .isInstanceOf(SerdeException.class)
                .hasMessageContaining("position");
    }

    @Test
    void truncatedRecordMidwayIsASerdeException() {
        DataWriter w = new DataWriter(16);
        w.writeLong(1);
        w.writeString("abcdef");
        byte[] all = w.toByteArray();
        for (int cut = 0; cut < all.length; cut++) {
            DataReader r = new DataReader(all, 0, cut);
            assertThatThrownBy(() -> {
                r.readLong();
                r.readString();
            }).as("cut at %d", cut).isInstanceOf(SerdeException.class);
        }
    }

    @Test
    void overlongVarIntIsMalformed() {
        byte[] six = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> new DataReader(six).readVarInt())
                .isInstanceOf(SerdeException.class).hasMessageContaining("position 0");
        byte[] eleven = new byte[11];
        java.util.Arrays.fill(eleven, (byte) 0xFF);
        assertThatThrownBy(() -> new DataReader(eleven).readVarLong()).isInstanceOf(SerdeException.class);
    }

    @Test
    void invalidBooleanByteIsMalformed() {
        assertThatThrownBy(() -> new DataReader(new byte[] {2}).readBoolean())
                .isInstanceOf(SerdeException.class).hasMessageContaining("boolean");
    }

    @Test
    void hugeStringLengthIsRejectedWithoutAllocating() {
        DataWriter w = new DataWriter(8);
        w.writeVarInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> readerOf(w).readString())
                .isInstanceOf(SerdeException.class).hasMessageContaining("position 0");
        assertThatThrownBy(() -> new DataReader(new byte[4]).readBytes(-1)).isInstanceOf(SerdeException.class);
    }
}
