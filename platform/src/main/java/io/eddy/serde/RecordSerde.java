package io.eddy.serde;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Serde for a Java record, built once by reflection and then run without reflection.
 *
 * <p>Components are written in declaration order with no per-record header. At build time each
 * component gets a write step (accessor, then the component's encoder) and a read step; the steps
 * are chained with {@link MethodHandles#foldArguments} into one write handle
 * {@code (Object, DataWriter)void} and one read handle {@code (DataReader)Object} that reads every
 * component in order and calls the canonical constructor. Primitive components whose registry serde
 * is the built-in one are written and read with the primitive {@link DataWriter}/{@link DataReader}
 * method directly (same encoding as the built-in serde), so no boxing happens; a primitive component
 * whose boxed type has a user-registered serde goes through that serde, boxed.
 *
 * <p>Reference components are null-safe: serdes that do not accept null themselves are wrapped with
 * {@link Serdes#nullable(Serde)} (one presence byte). The record value itself must not be null.
 * Thread-safe and stateless after construction.
 */
final class RecordSerde<R> implements Serde<R> {

    private static final MethodHandles.Lookup OWN = MethodHandles.lookup();
    private static final MethodHandle SERDE_WRITE;
    private static final MethodHandle SERDE_READ;
    private static final MethodType WRITE_TYPE = MethodType.methodType(void.class, Object.class, DataWriter.class);
    private static final MethodType READ_TYPE = MethodType.methodType(Object.class, DataReader.class);

    static {
        try {
            SERDE_WRITE = OWN.findVirtual(Serde.class, "write", WRITE_TYPE);
            SERDE_READ = OWN.findVirtual(Serde.class, "read", READ_TYPE);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How a primitive component is encoded when its registry serde is the built-in one. */
    private record PrimitiveCodec(Serde<?> builtIn, String writeMethod, Class<?> writeArg, String readMethod) {
    }

    private static final Map<Class<?>, PrimitiveCodec> PRIMITIVES = Map.of(
            boolean.class, new PrimitiveCodec(Serdes.BOOLEAN, "writeBoolean", boolean.class, "readBoolean"),
            byte.class, new PrimitiveCodec(Serdes.BYTE, "writeByte", int.class, "readByte"),
            short.class, new PrimitiveCodec(Serdes.SHORT, "writeShort", int.class, "readShort"),
            char.class, new PrimitiveCodec(Serdes.CHAR, "writeChar", int.class, "readChar"),
            int.class, new PrimitiveCodec(Serdes.INT, "writeZigZagInt", int.class, "readZigZagInt"),
            long.class, new PrimitiveCodec(Serdes.LONG, "writeZigZagLong", long.class, "readZigZagLong"),
            float.class, new PrimitiveCodec(Serdes.FLOAT, "writeFloat", float.class, "readFloat"),
            double.class, new PrimitiveCodec(Serdes.DOUBLE, "writeDouble", double.class, "readDouble"));

    private final Class<R> type;
    private final MethodHandle writer;
    private final MethodHandle reader;
    private final String id;

    private RecordSerde(Class<R> type, MethodHandle writer, MethodHandle reader, String id) {
        this.type = type;
        this.writer = writer;
        this.reader = reader;
        this.id = id;
    }

    /**
     * Builds the serde for {@code type}, resolving component serdes from {@code registry}.
     *
     * @throws SerdeException if {@code type} is not a record, is not accessible, or a component has no serde
     */
    static <R> RecordSerde<R> build(Class<R> type, SerdeRegistry registry) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(registry, "registry");
        if (!type.isRecord()) {
            throw new SerdeException(type.getName() + " is not a record class");
        }
        boolean outermost = registry.startBuilding(type);
        try {
            return create(type, registry);
        } finally {
            if (outermost) {
                registry.finishBuilding(type);
            }
        }
    }

    private static <R> RecordSerde<R> create(Class<R> type, SerdeRegistry registry) {
        MethodHandles.Lookup lookup = lookupFor(type);
        RecordComponent[] components = type.getRecordComponents();
        int n = components.length;
        Class<?>[] types = new Class<?>[n];
        MethodHandle[] writes = new MethodHandle[n];
        MethodHandle[] reads = new MethodHandle[n];
        StringJoiner ids = new StringJoiner(",", "{", "}");
        for (int i = 0; i < n; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Serde<?> serde;
            try {
                serde = resolve(c, registry);
            } catch (SerdeException e) {
                throw new SerdeException("Cannot build serde for record " + type.getName() + ": component '"
                        + c.getName() + "' of type " + c.getGenericType().getTypeName() + ": " + e.getMessage(), e);
            }
            ids.add(c.getName() + "=" + serde.id());
            try {
                MethodHandle accessor = lookup.unreflect(c.getAccessor());
                writes[i] = MethodHandles.filterArguments(writeStep(types[i], serde), 0, accessor);
                reads[i] = readStep(types[i], serde);
            } catch (IllegalAccessException | NoSuchMethodException e) {
                throw inaccessible(type, e);
            }
        }
        MethodHandle ctor;
        try {
            ctor = lookup.findConstructor(type, MethodType.methodType(void.class, types));
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw inaccessible(type, e);
        }
        MethodHandle writer = chainWrites(type, writes).asType(WRITE_TYPE);
        MethodHandle reader = chainReads(ctor, reads).asType(READ_TYPE);
        return new RecordSerde<>(type, writer, reader, "eddy.record<" + type.getName() + ids + ">:1");
    }

    private static Serde<?> resolve(RecordComponent c, SerdeRegistry registry) {
        Class<?> raw = c.getType();
        Serde<?> serde = registry.forType(c.getGenericType());
        if (!raw.isPrimitive() && !(serde instanceof NullSafe)) {
            serde = Serdes.nullable(serde);
        }
        return serde;
    }

    /** A handle {@code (T, DataWriter)void} writing one component value. */
    private static MethodHandle writeStep(Class<?> t, Serde<?> serde) throws NoSuchMethodException, IllegalAccessException {
        PrimitiveCodec p = PRIMITIVES.get(t);
        MethodType stepType = MethodType.methodType(void.class, t, DataWriter.class);
        if (p != null && p.builtIn() == serde) {
            MethodHandle m = OWN.findVirtual(DataWriter.class, p.writeMethod(), MethodType.methodType(void.class, p.writeArg()));
            // (DataWriter, arg)void -> (arg, DataWriter)void -> (t, DataWriter)void (widening only)
            return MethodHandles.permuteArguments(m, MethodType.methodType(void.class, p.writeArg(), DataWriter.class), 1, 0)
                    .asType(stepType);
        }
        return SERDE_WRITE.bindTo(serde).asType(stepType);
    }

    /** A handle {@code (DataReader)T} reading one component value. */
    private static MethodHandle readStep(Class<?> t, Serde<?> serde) throws NoSuchMethodException, IllegalAccessException {
        PrimitiveCodec p = PRIMITIVES.get(t);
        if (p != null && p.builtIn() == serde) {
            return OWN.findVirtual(DataReader.class, p.readMethod(), MethodType.methodType(t));
        }
        return SERDE_READ.bindTo(serde).asType(MethodType.methodType(t, DataReader.class));
    }

    /** Folds {@code (R, DataWriter)void} steps so that they run in declaration order. */
    private static MethodHandle chainWrites(Class<?> type, MethodHandle[] writes) {
        if (writes.length == 0) {
            return MethodHandles.empty(MethodType.methodType(void.class, type, DataWriter.class));
        }
        MethodHandle chain = writes[writes.length - 1];
        for (int i = writes.length - 2; i >= 0; i--) {
            chain = MethodHandles.foldArguments(chain, writes[i]); // runs writes[i], then the rest
        }
        return chain;
    }

    /**
     * Builds {@code (DataReader)R} = {@code ctor(read0(in), read1(in), ...)} with the reads happening in
     * order: {@code foldArguments} always runs its combiner before its target.
     */
    private static MethodHandle chainReads(MethodHandle ctor, MethodHandle[] reads) {
        int n = reads.length;
        MethodHandle chain = MethodHandles.dropArguments(ctor, n, DataReader.class); // (T0..Tn-1, DataReader)R
        for (int k = n - 1; k >= 0; k--) {
            chain = MethodHandles.foldArguments(chain, k, reads[k]); // (T0..Tk-1, DataReader)R
        }
        return chain;
    }

    private static MethodHandles.Lookup lookupFor(Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(type, OWN);
        } catch (IllegalAccessException e) {
            // e.g. a named module that does not open the package: public records still work
            return MethodHandles.publicLookup();
        }
    }

    private static SerdeException inaccessible(Class<?> type, Exception e) {
        return new SerdeException("Cannot access record " + type.getName() + " (" + e.getMessage() + "). Make it public"
                + " in an exported package, open its package to the module of io.eddy.serde, or register a Serde for it.", e);
    }

    @Override
    public void write(R value, DataWriter out) {
        if (value == null) {
            throw new NullPointerException("Serde for record " + type.getName()
                    + " does not accept null; wrap it with Serdes.nullable(...)");
        }
        try {
            writer.invokeExact((Object) value, out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new SerdeException("Writing record " + type.getName() + " failed: " + t, t);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public R read(DataReader in) {
        try {
            return (R) (Object) reader.invokeExact(in);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new SerdeException("Reading record " + type.getName() + " failed: " + t, t);
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
}
