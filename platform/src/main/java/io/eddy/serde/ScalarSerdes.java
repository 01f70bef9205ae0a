package io.eddy.serde;

/**
 * The built-in serdes for boxed primitives, {@code String} and {@code byte[]}; exposed through
 * {@link Serdes}. Boxed-primitive serdes reject {@code null} with {@link NullPointerException};
 * {@code String} and {@code byte[]} accept it. The primitive encodings here must stay identical to
 * the ones {@link RecordSerde} uses for primitive record components.
 */
final class ScalarSerdes {

    private ScalarSerdes() {
    }

    /** Base for the built-ins: a fixed, stable id. */
    private abstract static class Named<T> implements Serde<T> {
        private final String id;

        Named(String name) {
            this.id = "eddy." + name + ":" + version();
        }

        @Override
        public final String id() {
            return id;
        }

        @Override
        public final String toString() {
            return id;
        }
    }

    static final class BooleanSerde extends Named<Boolean> {
        BooleanSerde() {
            super("boolean");
        }

        @Override
        public void write(Boolean value, DataWriter out) {
            out.writeBoolean(value);
        }

        @Override
        public Boolean read(DataReader in) {
            return in.readBoolean();
        }
    }

    static final class ByteSerde extends Named<Byte> {
        ByteSerde() {
            super("byte");
        }

        @Override
        public void write(Byte value, DataWriter out) {
            out.writeByte(value);
        }

        @Override
        public Byte read(DataReader in) {
            return in.readByte();
        }
    }

    static final class ShortSerde extends Named<Short> {
        ShortSerde() {
            super("short");
        }

        @Override
        public void write(Short value, DataWriter out) {
            out.writeShort(value);
        }

        @Override
        public Short read(DataReader in) {
            return in.readShort();
        }
    }

    static final class CharSerde extends Named<Character> {
        CharSerde() {
            super("char");
        }

        @Override
        public void write(Character value, DataWriter out) {
            out.writeChar(value);
        }

        @Override
        public Character read(DataReader in) {
            return in.readChar();
        }
    }

    /** Zig-zag varint: 1 byte for -64..63. */
    static final class IntSerde extends Named<Integer> {
        IntSerde() {
            super("int");
        }

        @Override
        public void write(Integer value, DataWriter out) {
            out.writeZigZagInt(value);
        }

        @Override
        public Integer read(DataReader in) {
            return in.readZigZagInt();
        }
    }

    /** Zig-zag varlong: 1 byte for -64..63, at most 10. */
    static final class LongSerde extends Named<Long> {
        LongSerde() {
            super("long");
        }

        @Override
        public void write(Long value, DataWriter out) {
            out.writeZigZagLong(value);
        }

        @Override
        public Long read(DataReader in) {
            return in.readZigZagLong();
        }
    }

    static final class FloatSerde extends Named<Float> {
        FloatSerde() {
            super("float");
        }

        @Override
        public void write(Float value, DataWriter out) {
            out.writeFloat(value);
        }

        @Override
        public Float read(DataReader in) {
            return in.readFloat();
        }
    }

    static final class DoubleSerde extends Named<Double> {
        DoubleSerde() {
            super("double");
        }

        @Override
        public void write(Double value, DataWriter out) {
            out.writeDouble(value);
        }

        @Override
        public Double read(DataReader in) {
            return in.readDouble();
        }
    }

    /** Null-safe; see {@link DataWriter#writeString}. */
    static final class StringSerde extends Named<String> implements NullSafe {
        StringSerde() {
            super("string");
        }

        @Override
        public void write(String value, DataWriter out) {
            out.writeString(value);
        }

        @Override
        public String read(DataReader in) {
            return in.readString();
        }
    }

    /** Null-safe: varint (length + 1), 0 for null, then the bytes. */
    static final class BytesSerde extends Named<byte[]> implements NullSafe {
        BytesSerde() {
            super("bytes");
        }

        @Override
        public void write(byte[] value, DataWriter out) {
            if (value == null) {
                out.writeByte(0);
            } else {
                out.writeVarInt(value.length + 1);
                out.writeBytes(value, 0, value.length);
            }
        }

        @Override
        public byte[] read(DataReader in) {
            int n = in.readVarInt();
            if (n == 0) {
                return null;
            }
            int len = n - 1;
            if (len < 0) {
                throw new SerdeException("Corrupt input: byte[] length " + Integer.toUnsignedString(len)
                        + " before position " + in.position());
            }
            return in.readBytes(len);
        }
    }
}
