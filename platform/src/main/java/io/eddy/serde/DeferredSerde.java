package io.eddy.serde;

/**
 * Stands in for the serde of a record type that is still being built, so that recursive records
 * (e.g. {@code record Node(int v, Node next)}) can refer to themselves. Resolves the real serde
 * from the registry on first use. Thread-safe (a benign race may resolve twice, to the same cached
 * serde). Its id is a reference by class name, which keeps ids of recursive records finite.
 */
final class DeferredSerde<T> implements Serde<T> {

    private final Class<T> type;
    private final SerdeRegistry registry;
    private volatile Serde<T> resolved;

    DeferredSerde(Class<T> type, SerdeRegistry registry) {
        this.type = type;
        this.registry = registry;
    }

    private Serde<T> target() {
        Serde<T> s = resolved;
        if (s == null) {
            s = registry.forClass(type);
            resolved = s;
        }
        return s;
    }

    @Override
    public void write(T value, DataWriter out) {
        target().write(value, out);
    }

    @Override
    public T read(DataReader in) {
        return target().read(in);
    }

    @Override
    public String id() {
        return "eddy.ref<" + type.getName() + ">:" + version();
    }

    @Override
    public String toString() {
        return id();
    }
}
