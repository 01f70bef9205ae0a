package io.eddy.serde;

/**
 * An enum constant as its ordinal (varint). Reordering or removing constants changes the meaning
 * of stored data; appending constants is compatible. Thread-safe; rejects {@code null}
 * ({@link NullPointerException}).
 */
final class EnumSerde<E extends Enum<E>> implements Serde<E> {

    private final Class<E> type;
    private final E[] constants;
    private final String id;

    EnumSerde(Class<E> type) {
        if (!type.isEnum()) {
            throw new SerdeException(type.getName() + " is not an enum class");
        }
        this.type = type;
        this.constants = type.getEnumConstants();
        this.id = "eddy.enum<" + type.getName() + ">:" + version();
    }

    @Override
    public void write(E value, DataWriter out) {
        out.writeVarInt(value.ordinal());
    }

    @Override
    public E read(DataReader in) {
        int ordinal = in.readVarInt();
        if (ordinal < 0 || ordinal >= constants.length) {
            throw new SerdeException("Corrupt input: ordinal " + Integer.toUnsignedString(ordinal) + " before position "
                    + in.position() + " is out of range for enum " + type.getName() + " with " + constants.length
                    + " constants");
        }
        return constants[ordinal];
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
