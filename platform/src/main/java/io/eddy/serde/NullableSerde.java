package io.eddy.serde;

import java.util.Objects;

/**
 * Adds {@code null} support to another serde with a presence byte: 0 for null, 1 followed by the
 * value. Thread-safe if the wrapped serde is.
 */
final class NullableSerde<T> implements Serde<T>, NullSafe {

    private final Serde<T> inner;
    private final String id;

    NullableSerde(Serde<T> inner) {
        this.inner = Objects.requireNonNull(inner, "inner serde");
        this.id = "eddy.nullable<" + inner.id() + ">:" + version();
    }

    @Override
    public void write(T value, DataWriter out) {
        if (value == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            inner.write(value, out);
        }
    }

    @Override
    public T read(DataReader in) {
        byte presence = in.readByte();
        if (presence == 0) {
            return null;
        }
        if (presence != 1) {
            throw new SerdeException("Corrupt input: presence byte " + presence + " at position " + (in.position() - 1));
        }
        return inner.read(in);
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
