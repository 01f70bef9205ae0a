package io.eddy.serde;

import java.lang.reflect.Array;
import java.util.Objects;

/**
 * An array as varint length followed by each element, written with the component type's serde (boxed for primitive
 * arrays other than {@code long[]}, {@code int[]} and {@code double[]}, which are written directly). The array must not
 * be {@code null}; elements of reference arrays may be. Thread-safe if the component serde is.
 */
final class ArraySerde implements Serde<Object> {
    private final Class<?> component;
    private final Serde<Object> element;
    private final String id;

    @SuppressWarnings("unchecked")
    ArraySerde(Class<?> arrayType, Serde<?> element) {
        this.component = Objects.requireNonNull(arrayType.getComponentType(), "not an array type");
        Serde<Object> e = (Serde<Object>) element;
        this.element = component.isPrimitive() || e instanceof NullSafe ? e : (Serde<Object>) Serdes.nullable(e);
        this.id = "eddy.array<" + element.id() + ">:" + version();
    }

    @Override
    public void write(Object value, DataWriter out) {
        if (value instanceof long[] a) {
            out.writeVarInt(a.length);
            for (long v : a) {
                out.writeZigZagLong(v);
            }
        } else if (value instanceof int[] a) {
            out.writeVarInt(a.length);
            for (int v : a) {
                out.writeZigZagInt(v);
            }
        } else if (value instanceof double[] a) {
            out.writeVarInt(a.length);
            for (double v : a) {
                out.writeDouble(v);
            }
        } else {
            int n = Array.getLength(value);
            out.writeVarInt(n);
            for (int i = 0; i < n; i++) {
                element.write(Array.get(value, i), out);
            }
        }
    }

    @Override
    public Object read(DataReader in) {
        int n = in.readVarInt();
        if (n < 0 || n > in.remaining()) { // every element takes at least one byte
            throw new SerdeException("Corrupt input: array length " + Integer.toUnsignedString(n)
                    + " before position " + in.position());
        }
        if (component == long.class) {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = in.readZigZagLong();
            }
            return a;
        } else if (component == int.class) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = in.readZigZagInt();
            }
            return a;
        } else if (component == double.class) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = in.readDouble();
            }
            return a;
        }
        Object a = Array.newInstance(component, n);
        for (int i = 0; i < n; i++) {
            Array.set(a, i, element.read(in));
        }
        return a;
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
