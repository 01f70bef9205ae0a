package io.eddy.serde;

/**
 * For fields declared as {@code Object}, an interface, an abstract class or a type variable: writes
 * the value's class name before the value (serialized by that class's serde), and null as an empty
 * name. Slower than a concrete type, since every value carries its class name. Only classes the job can carry
 * are written ({@link SerdeRegistry#requireCarried}, checked when the value class changes) or read
 * ({@link SerdeRegistry#resolve}).
 */
final class DynamicSerde implements Serde<Object>, NullSafe {
    private final SerdeRegistry registry;
    /** The last class checked for writing; a racy cache is harmless (a miss checks again). */
    private Class<?> lastWritten;

    DynamicSerde(SerdeRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void write(Object value, DataWriter out) {
        if (value == null) {
            out.writeString(null);
            return;
        }
        Class<?> c = value.getClass();
        if (c != lastWritten) {
            registry.requireCarried(c, "a dynamically typed value");
            lastWritten = c;
        }
        out.writeString(c.getName());
        registry.forValue(value).write(value, out);
    }

    @Override
    public Object read(DataReader in) {
        String name = in.readString();
        if (name == null) {
            return null;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> c = registry.resolve(name, loader != null ? loader : DynamicSerde.class.getClassLoader(),
                "a dynamically typed value");
        return registry.forClass(c).read(in);
    }

    @Override
    public String id() {
        return "eddy.dynamic:1";
    }
}
