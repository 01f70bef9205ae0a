package io.eddy.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SerdesTest {

    enum Color { RED, GREEN, BLUE }

    static <T> T roundTrip(Serde<T> serde, T value) {
        DataWriter w = new DataWriter(1);
        serde.write(value, w);
        DataReader r = new DataReader(w.toByteArray());
        T back = serde.read(r);
        assertThat(r.hasRemaining()).as("read consumed exactly what write produced").isFalse();
        return back;
    }

    static Stream<Arguments> builtInEdgeValues() {
        return Stream.of(
                Arguments.of(Serdes.BOOLEAN, true), Arguments.of(Serdes.BOOLEAN, false),
                Arguments.of(Serdes.BYTE, Byte.MIN_VALUE), Arguments.of(Serdes.BYTE, Byte.MAX_VALUE),
                Arguments.of(Serdes.SHORT, Short.MIN_VALUE), Arguments.of(Serdes.SHORT, Short.MAX_VALUE),
                Arguments.of(Serdes.CHAR, Character.MIN_VALUE), Arguments.of(Serdes.CHAR, '\uD83D'),
                Arguments.of(Serdes.INT, Integer.MIN_VALUE), Arguments.of(Serdes.INT, Integer.MAX_VALUE),
                Arguments.of(Serdes.INT, -1), Arguments.of(Serdes.INT, 0),
                Arguments.of(Serdes.LONG, Long.MIN_VALUE), Arguments.of(Serdes.LONG, Long.MAX_VALUE),
                Arguments.of(Serdes.LONG, -1L), Arguments.of(Serdes.LONG, 0L),
                Arguments.of(Serdes.FLOAT, Float.NaN), Arguments.of(Serdes.FLOAT, Float.NEGATIVE_INFINITY),
                Arguments.of(Serdes.FLOAT, -Float.MAX_VALUE),
                Arguments.of(Serdes.DOUBLE, Double.NaN), Arguments.of(Serdes.DOUBLE, Double.MIN_VALUE),
                Arguments.of(Serdes.DOUBLE, Math.PI),
                Arguments.of(Serdes.STRING, ""), Arguments.of(Serdes.STRING, "plain"),
                Arguments.of(Serdes.STRING, "Grüße, 世界 🌍"), Arguments.of(Serdes.STRING, null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("builtInEdgeValues")
    <T> void builtInsRoundTrip(Serde<T> serde, T value) {
        assertThat(roundTrip(serde, value)).isEqualTo(value);
    }

    @Test
    void bytesRoundTripIncludingEmptyAndNull() {
        assertThat(roundTrip(Serdes.BYTES, new byte[0])).isEmpty();
        assertThat(roundTrip(Serdes.BYTES, null)).isNull();
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(roundTrip(Serdes.BYTES, all)).isEqualTo(all).isNotSameAs(all);
    }

    @Test
    void longAndIntUseZigZagSoSmallNegativesAreOneByte() {
        DataWriter w = new DataWriter(4);
        Serdes.LONG.write(-1L, w);
        Serdes.INT.write(-64, w);
        assertThat(w.size()).isEqualTo(2);
    }

    @Test
    void manyValuesBackToBackReadInOrder() {
        DataWriter w = new DataWriter(2);
        Serde<List<String>> strings = Serdes.listOf(Serdes.STRING);
        for (int i = 0; i < 1000; i++) {
            Serdes.LONG.write((long) i * -7919, w);
            Serdes.STRING.write(i % 10 == 0 ? null : "s" + i + "é", w);
            Serdes.BYTES.write(new byte[i % 5], w);
            Serdes.DOUBLE.write(i / 3.0, w);
            strings.write(List.of("a" + i, "b"), w);
            Serdes.BOOLEAN.write(i % 2 == 0, w);
        }
        DataReader r = new DataReader(w.array(), 0, w.size());
        for (int i = 0; i < 1000; i++) {
            assertThat(Serdes.LONG.read(r)).isEqualTo((long) i * -7919);
            assertThat(Serdes.STRING.read(r)).isEqualTo(i % 10 == 0 ? null : "s" + i + "é");
            assertThat(Serdes.BYTES.read(r)).hasSize(i % 5);
            assertThat(Serdes.DOUBLE.read(r)).isEqualTo(i / 3.0);
            assertThat(strings.read(r)).containsExactly("a" + i, "b");
            assertThat(Serdes.BOOLEAN.read(r)).isEqualTo(i % 2 == 0);
        }
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void listOfRoundTripsAnyListAsArrayList() {
        List<Long> linked = new LinkedList<>(List.of(1L, Long.MIN_VALUE, Long.MAX_VALUE));
        List<Long> back = roundTrip(Serdes.listOf(Serdes.LONG), linked);
        assertThat(back).isInstanceOf(ArrayList.class).containsExactly(1L, Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(roundTrip(Serdes.listOf(Serdes.INT), List.of())).isEmpty();
    }

    @Test
    void nestedListsAndNullableElements() {
        Serde<List<List<String>>> nested = Serdes.listOf(Serdes.listOf(Serdes.STRING));
        assertThat(roundTrip(nested, List.of(List.of("a"), List.of(), List.of("b", "c"))))
                .containsExactly(List.of("a"), List.of(), List.of("b", "c"));

        List<Integer> withNull = Arrays.asList(1, null, 3);
        assertThat(roundTrip(Serdes.listOf(Serdes.nullable(Serdes.INT)), withNull)).containsExactly(1, null, 3);
        assertThatThrownBy(() -> roundTrip(Serdes.listOf(Serdes.INT), withNull)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void mapOfRoundTripsAsHashMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("one", 1L);
        m.put("ünï", -2L);
        m.put(null, 3L);
        Map<String, Long> back = roundTrip(Serdes.mapOf(Serdes.STRING, Serdes.LONG), m);
        assertThat(back).isInstanceOf(HashMap.class).isEqualTo(m);
        assertThat(roundTrip(Serdes.mapOf(Serdes.INT, Serdes.BYTES), Map.of())).isEmpty();
    }

    @Test
    void nullableUsesAPresenceByte() {
        Serde<Long> serde = Serdes.nullable(Serdes.LONG);
        assertThat(roundTrip(serde, null)).isNull();
        assertThat(roundTrip(serde, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        DataWriter w = new DataWriter(4);
        serde.write(null, w);
        serde.write(5L, w);
        assertThat(w.toByteArray()).containsExactly(0, 1, 10);
        assertThat(Serdes.nullable(serde)).isSameAs(serde);
        assertThatThrownBy(() -> serde.read(new DataReader(new byte[] {7})))
                .isInstanceOf(SerdeException.class).hasMessageContaining("presence");
    }

    @Test
    void enumOfWritesTheOrdinalAndRejectsOutOfRange() {
        Serde<Color> serde = Serdes.enumOf(Color.class);
        for (Color c : Color.values()) {
            assertThat(roundTrip(serde, c)).isSameAs(c);
        }
        DataWriter w = new DataWriter(4);
        serde.write(Color.BLUE, w);
        assertThat(w.toByteArray()).containsExactly(2);
        assertThatThrownBy(() -> serde.read(new DataReader(new byte[] {3})))
                .isInstanceOf(SerdeException.class).hasMessageContaining(Color.class.getName());
    }

    @Test
    void idsAreStableAndDistinct() {
        List<Serde<?>> all = List.of(Serdes.BOOLEAN, Serdes.BYTE, Serdes.SHORT, Serdes.CHAR, Serdes.INT, Serdes.LONG,
                Serdes.FLOAT, Serdes.DOUBLE, Serdes.STRING, Serdes.BYTES, Serdes.listOf(Serdes.INT),
                Serdes.listOf(Serdes.LONG), Serdes.mapOf(Serdes.STRING, Serdes.INT), Serdes.nullable(Serdes.INT),
                Serdes.enumOf(Color.class));
        Set<String> ids = all.stream().map(Serde::id).collect(Collectors.toSet());
        assertThat(ids).hasSize(all.size());
        assertThat(Serdes.LONG.id()).isEqualTo("eddy.long:1");
        assertThat(Serdes.listOf(Serdes.STRING).id()).isEqualTo(Serdes.listOf(Serdes.STRING).id())
                .isEqualTo("eddy.list<eddy.string:1>:1");
        assertThat(Serdes.enumOf(Color.class).id()).contains(Color.class.getName());
    }

    @Test
    void truncatedCompositeInputIsASerdeException() {
        DataWriter w = new DataWriter(8);
        Serdes.listOf(Serdes.STRING).write(List.of("alpha", "beta"), w);
        byte[] cut = Arrays.copyOf(w.toByteArray(), w.size() - 2);
        assertThatThrownBy(() -> Serdes.listOf(Serdes.STRING).read(new DataReader(cut)))
                .isInstanceOf(SerdeException.class).hasMessageContaining("position");

        DataWriter huge = new DataWriter(8);
        huge.writeVarInt(Integer.MAX_VALUE); // claims 2^31-1 elements, has none
        assertThatThrownBy(() -> Serdes.listOf(Serdes.LONG).read(new DataReader(huge.toByteArray())))
                .isInstanceOf(SerdeException.class);
    }
}
