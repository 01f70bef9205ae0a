package io.eddy.serde;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The built-in serdes and factories for composite ones.
 *
 * <p>All serdes here are immutable and thread-safe (composites are thread-safe when their parts are).
 * Null handling: {@link #STRING}, {@link #BYTES}, {@link #nullable} and {@link #javaSerialization} accept
 * {@code null}; every other serde here throws {@link NullPointerException} on a null value.
 *
 * <p>Encodings: {@code int} and {@code long} are zig-zag varints (small magnitudes of either sign are
 * short); {@code short}, {@code char}, {@code float}, {@code double} are fixed-width big-endian;
 * {@code boolean} and {@code byte} are one byte; strings and byte arrays are a varint (length + 1,
 * 0 for null) followed by the UTF-8 bytes / raw bytes.
 */
public final class Serdes {

    private Serdes() {
    }

    /** {@code Boolean} as one byte 0/1. Rejects null. */
    public static final Serde<Boolean> BOOLEAN = new ScalarSerdes.BooleanSerde();
    /** {@code Byte} as one byte. Rejects null. */
    public static final Serde<Byte> BYTE = new ScalarSerdes.ByteSerde();
    /** {@code Short} as two bytes, big-endian. Rejects null. */
    public static final Serde<Short> SHORT = new ScalarSerdes.ShortSerde();
    /** {@code Character} as two bytes, big-endian. Rejects null. */
    public static final Serde<Character> CHAR = new ScalarSerdes.CharSerde();
    /** {@code Integer} as a zig-zag varint (1-5 bytes). Rejects null. */
    public static final Serde<Integer> INT = new ScalarSerdes.IntSerde();
    /** {@code Long} as a zig-zag varlong (1-10 bytes). Rejects null. */
    public static final Serde<Long> LONG = new ScalarSerdes.LongSerde();
    /** {@code Float} as its four IEEE 754 bytes. Rejects null. */
    public static final Serde<Float> FLOAT = new ScalarSerdes.FloatSerde();
    /** {@code Double} as its eight IEEE 754 bytes. Rejects null. */
    public static final Serde<Double> DOUBLE = new ScalarSerdes.DoubleSerde();
    /** {@code String} as varint (UTF-8 length + 1) and UTF-8 bytes. Accepts null. */
    public static final Serde<String> STRING = new ScalarSerdes.StringSerde();
    /** {@code byte[]} as varint (length + 1) and the bytes. Accepts null. */
    public static final Serde<byte[]> BYTES = new ScalarSerdes.BytesSerde();

    /**
     * A list as varint size and elements; reads an {@code ArrayList}. The list must not be null;
     * elements may be null only if {@code element} accepts null (wrap it with {@link #nullable}).
     */
    public static <E> Serde<List<E>> listOf(Serde<E> element) {
        return new ListSerde<>(element);
    }

    /**
     * A map as varint size and key/value pairs; reads a {@code HashMap}. The map must not be null;
     * keys and values may be null only if their serdes accept null.
     */
    public static <K, V> Serde<Map<K, V>> mapOf(Serde<K> key, Serde<V> value) {
        return new MapSerde<>(key, value);
    }

    /** Makes {@code inner} accept null by prefixing a presence byte; returns it unchanged if already nullable. */
    public static <T> Serde<T> nullable(Serde<T> inner) {
        return inner instanceof NullableSerde ? inner : new NullableSerde<>(inner);
    }

    /** An enum by ordinal (varint). Appending constants is compatible; reordering is not. Rejects null. */
    public static <E extends Enum<E>> Serde<E> enumOf(Class<E> enumClass) {
        return new EnumSerde<>(enumClass);
    }

    /**
     * A serde for a record class, built now by reflection with component serdes from {@code registry};
     * see {@link SerdeRegistry#forClass} for how component types are resolved. The record value must
     * not be null; its reference-typed components may be. Prefer {@code registry.forClass(recordClass)},
     * which builds once and caches.
     *
     * @throws SerdeException if a component type has no serde, or the record is not accessible
     */
    public static <R extends Record> Serde<R> record(Class<R> recordClass, SerdeRegistry registry) {
        return RecordSerde.build(recordClass, registry);
    }

    /**
     * Java serialization of a {@link Serializable} class, for a job that opts in with
     * {@code pipeline.registerSerde(type, Serdes.javaSerialization(type, ...))}: slow and verbose, a last resort.
     * Reading accepts only {@code type}, the classes in {@code alsoAllowed} (the classes of its fields that are
     * neither primitive, boxed nor {@code String}), and primitive arrays; any other class in the stream is refused
     * before it is instantiated. Accepts null.
     */
    public static <T> Serde<T> javaSerialization(Class<T> type, Class<?>... alsoAllowed) {
        return new JavaSerializationSerde<>(type, alsoAllowed);
    }
}
