package io.eddy.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list as varint size followed by each element; reads back an {@link ArrayList}.
 * Thread-safe if the element serde is. The list itself must not be {@code null}
 * ({@link NullPointerException}); elements may be {@code null} only if the element serde accepts null.
 */
final class ListSerde<E> implements Serde<List<E>> {

    private final Serde<E> element;
    private final String id;

    ListSerde(Serde<E> element) {
        this.element = Objects.requireNonNull(element, "element serde");
        this.id = "eddy.list<" + element.id() + ">:" + version();
    }

    @Override
    public void write(List<E> value, DataWriter out) {
        int n = value.size();
        out.writeVarInt(n);
        if (value instanceof java.util.RandomAccess) {
            for (int i = 0; i < n; i++) {
                element.write(value.get(i), out);
            }
        } else {
            for (E e : value) {
                element.write(e, out);
            }
        }
    }

    @Override
    public List<E> read(DataReader in) {
        int n = in.readVarInt();
        if (n < 0) {
            throw new SerdeException("Corrupt input: list size " + Integer.toUnsignedString(n)
                    + " before position " + in.position());
        }
        // never pre-size beyond what the input could hold, so a corrupt size cannot exhaust memory
        List<E> list = new ArrayList<>(Math.min(n, in.remaining()));
        for (int i = 0; i < n; i++) {
            list.add(element.read(in));
        }
        return list;
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
