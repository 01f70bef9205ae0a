package io.eddy.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Opt-in serde using Java serialization ({@link ObjectOutputStream}), length-prefixed; never chosen by
 * {@link SerdeRegistry} by itself.
 *
 * <p>Reading goes through an {@link ObjectInputFilter} allow-list: the registered class, the classes the job listed
 * with it, boxed primitives, {@code String} and primitive arrays; any other class in the stream is refused before
 * it is instantiated, as are streams deeper than {@value #MAX_DEPTH} or with more than {@value #MAX_REFS} objects.
 * <b>Slow</b> (reflection and a fresh object stream per value) and large on the wire; register a {@link Serde} or
 * use a record for anything on a hot path. Thread-safe; accepts {@code null}. The id includes the class's
 * {@code serialVersionUID}.
 */
final class JavaSerializationSerde<T> implements Serde<T>, NullSafe {

    static final int MAX_DEPTH = 32;
    static final int MAX_REFS = 100_000;
    private static final Set<Class<?>> ALWAYS = Set.of(String.class, Boolean.class, Byte.class, Short.class,
            Character.class, Integer.class, Long.class, Float.class, Double.class, Number.class, Enum.class);

    private final Class<T> type;
    private final String id;
    private final Set<Class<?>> allowed;

    JavaSerializationSerde(Class<T> type, Class<?>... alsoAllowed) {
        if (!Serializable.class.isAssignableFrom(type)) {
            throw new SerdeException(type.getName() + " does not implement java.io.Serializable");
        }
        this.type = type;
        Set<Class<?>> a = new HashSet<>(ALWAYS);
        a.add(type);
        a.addAll(Arrays.asList(alsoAllowed));
        this.allowed = Set.copyOf(a);
        ObjectStreamClass descriptor = ObjectStreamClass.lookup(type);
        long uid = descriptor == null ? 0L : descriptor.getSerialVersionUID();
        this.id = "eddy.java-serialization<" + type.getName() + "#" + uid + ">:" + version();
    }

    @Override
    public void write(T value, DataWriter out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(value);
        } catch (IOException e) {
            throw new SerdeException("Java serialization of " + type.getName() + " failed: " + e, e);
        }
        out.writeVarInt(bytes.size());
        out.writeBytes(bytes.toByteArray());
    }

    @Override
    public T read(DataReader in) {
        int len = in.readVarInt();
        int start = in.position();
        byte[] bytes = in.readBytes(len);
        try (ObjectInputStream ois = new ClassLoaderAwareStream(bytes, type.getClassLoader())) {
            ois.setObjectInputFilter(this::check);
            return type.cast(ois.readObject());
        } catch (InvalidClassException e) {
            throw new SerdeException("Java deserialization of " + type.getName() + " at position " + start
                    + " refused: the stream holds a class outside the allow-list " + allowed.stream()
                    .map(Class::getName).sorted().toList() + " (" + e.getMessage() + ")", e);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new SerdeException("Java deserialization of " + type.getName() + " at position " + start
                    + " failed: " + e, e);
        }
    }

    /** The allow-list: consulted for every class descriptor and for the stream's size before anything is created. */
    private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
        if (info.depth() > MAX_DEPTH || info.references() > MAX_REFS) {
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> c = info.serialClass();
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        return c.isPrimitive() || allowed.contains(c) || (c.isEnum() && allowed.contains(c.getDeclaringClass()))
                ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /** Resolves classes through the target type's loader first, so user classes load in plugin loaders. */
    private static final class ClassLoaderAwareStream extends ObjectInputStream {
        private final ClassLoader loader;

        ClassLoaderAwareStream(byte[] bytes, ClassLoader loader) throws IOException {
            super(new ByteArrayInputStream(bytes));
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall through to the default (primitives, arrays of JDK types)
                }
            }
            return super.resolveClass(desc);
        }
    }
}
