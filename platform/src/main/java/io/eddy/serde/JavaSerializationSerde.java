package io.eddy.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * Last-resort serde using Java serialization ({@link ObjectOutputStream}), length-prefixed.
 *
 * <p><b>Slow</b> (reflection and a fresh object stream per value, with class descriptors written
 * every time) and large on the wire; register a {@link Serde} or use a record for anything on a hot
 * path. Only read data from trusted sources: Java deserialization of untrusted bytes is unsafe.
 * Thread-safe; accepts {@code null}. The id includes the class's {@code serialVersionUID}.
 */
final class JavaSerializationSerde<T> implements Serde<T>, NullSafe {

    private final Class<T> type;
    private final String id;

    JavaSerializationSerde(Class<T> type) {
        if (!Serializable.class.isAssignableFrom(type)) {
            throw new SerdeException(type.getName() + " does not implement java.io.Serializable");
        }
        this.type = type;
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
            return type.cast(ois.readObject());
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new SerdeException("Java deserialization of " + type.getName() + " at position " + start
                    + " failed: " + e, e);
        }
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
