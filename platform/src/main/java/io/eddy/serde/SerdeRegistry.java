package io.eddy.serde;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the {@link Serde} for a class. Thread-safe: lookups and registrations may happen concurrently;
 * serdes built on demand are cached, and concurrent first lookups of one class return the same instance.
 *
 * <p>Resolution order for {@link #forClass}:
 * <ol>
 *   <li>serdes {@linkplain #register registered} by the user, which take precedence over everything;</li>
 *   <li>built-ins: boxed primitives and their primitive classes ({@code int.class} and
 *       {@code Integer.class} share {@link Serdes#INT}), {@code String}, {@code byte[]};</li>
 *   <li>enums ({@link Serdes#enumOf});</li>
 *   <li>arrays, element by element with the component type's serde;</li>
 *   <li>concrete JDK lists, sets and maps ({@link JdkCollectionSerde}), element by element with each element's
 *       class;</li>
 *   <li>records, built once by reflection ({@link Serdes#record}). Component types resolve through this
 *       registry; {@code List<X>}/{@code ArrayList<X>} and {@code Map<K,V>}/{@code HashMap<K,V>} components
 *       use {@link Serdes#listOf}/{@link Serdes#mapOf} with the element types from the generic signature;
 *       nested and recursive records work;</li>
 * </ol>
 * Anything else fails with a {@link SerdeException} naming the class and how to fix it. Java serialization is never
 * chosen by itself: a job opts in per class with {@code register(type, Serdes.javaSerialization(type))}, and then
 * reads only through an {@link java.io.ObjectInputFilter} allow-list.
 *
 * <p><b>Names from the network or from snapshots</b> go through {@link #resolve}, never straight to a class loader:
 * it answers only the classes this job can carry ({@link #allow}: the types of the plan's edges, keys and state, with
 * what their serdes name, the built-ins, and classes with a registered serde). Everything else (an Eddy-internal or
 * library record, a JDK class, a {@code Serializable} "gadget") is refused by a lookup in that set, so nothing of it
 * is loaded, initialized or instantiated. Senders check the same set ({@link #requireCarried}), so a job that emits
 * an undeclared class fails where it emits it.
 *
 * <p>Register serdes before the first lookup that needs them: serdes already built (e.g. a record
 * serde for a record with a component of the re-registered type) keep what they resolved.
 */
public final class SerdeRegistry {

    private final ConcurrentHashMap<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();
    /** What {@link #resolve} answers: the classes this job can carry. */
    private final CarriedTypes carried = new CarriedTypes();
    /** Classes whose serde the job registered: opaque to the closure of {@link #allow}. */
    private final Set<Class<?>> registered = ConcurrentHashMap.newKeySet();
    /** Record classes whose serde this thread is currently building, to cut recursion. */
    private final ThreadLocal<Set<Class<?>>> building = ThreadLocal.withInitial(HashSet::new);

    private SerdeRegistry() {
    }

    /** A new registry holding the built-in serdes of {@link Serdes}. */
    public static SerdeRegistry withBuiltIns() {
        SerdeRegistry r = new SerdeRegistry();
        r.serdes.put(Boolean.class, Serdes.BOOLEAN);
        r.serdes.put(Byte.class, Serdes.BYTE);
        r.serdes.put(Short.class, Serdes.SHORT);
        r.serdes.put(Character.class, Serdes.CHAR);
        r.serdes.put(Integer.class, Serdes.INT);
        r.serdes.put(Long.class, Serdes.LONG);
        r.serdes.put(Float.class, Serdes.FLOAT);
        r.serdes.put(Double.class, Serdes.DOUBLE);
        r.serdes.put(String.class, Serdes.STRING);
        r.serdes.put(byte[].class, Serdes.BYTES);
        r.serdes.keySet().forEach(r.carried::addOpaque);
        return r;
    }

    /**
     * Registers {@code serde} for {@code type}, replacing any built-in or previously built serde.
     * Registering a primitive class or its wrapper registers both ({@code int.class} ≡ {@code Integer.class}).
     *
     * @return this registry, for chaining
     */
    public <T> SerdeRegistry register(Class<T> type, Serde<T> serde) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serde, "serde");
        serdes.put(key(type), serde);
        registered.add(key(type));
        carried.addOpaque(key(type));
        return this;
    }

    /**
     * Adds {@code type} and what its serde names to the classes this job can carry (see {@link CarriedTypes}): the
     * plan's types when a task builds its graph, a state descriptor's types when an operator declares it, and
     * {@code Pipeline.registerType}. Call from trusted code only (the job's own graph and operators).
     *
     * @return this registry, for chaining
     */
    public SerdeRegistry allow(Type type) {
        carried.add(Objects.requireNonNull(type, "type"), registered::contains);
        return this;
    }

    /**
     * Fails unless values of {@code type} may be sent: the check of the sending side, done once per class by the
     * callers (a frame encoder per class, a dynamic serde per value class change), not per record.
     *
     * @param where what is sending, for the message (e.g. {@code "frame on edge 2 channel 0"})
     * @throws SerdeException naming the class, where, and how to declare it
     */
    public void requireCarried(Class<?> type, String where) {
        if (!carries(type)) {
            throw new SerdeException(where + ": a value of class " + type.getName() + ", which is not a type this job"
                    + " can carry " + CARRIED + "; refused. Declare it: .returns(" + type.getSimpleName() + ".class)"
                    + " on the operator that emits it, or pipeline.registerType(" + type.getSimpleName() + ".class)"
                    + " if it travels inside an Object or interface field");
        }
    }

    /** Whether {@code type} is in the set {@link #resolve} answers. */
    public boolean carries(Class<?> type) {
        Class<?> k = type.isPrimitive() ? key(type) : type;
        return carried.contains(k) || JdkCollectionSerde.handles(k);
    }

    private static final String CARRIED = "(the record types of its edges, its keys and state, what their serdes"
            + " name, built-in types, serdes the job registered, and Pipeline.registerType)";

    /**
     * The class a frame, a dynamic value or a snapshot names, if this job can carry it: a lookup in the set
     * {@link #allow} built (plus the JDK's concrete lists, sets and maps, read as a known collection class), so a
     * refused name has nothing of its class loaded. Arrays are named by their descriptor ({@code [J},
     * {@code [Lcom.x.Rec;}) and are in the set when an allowed type has them.
     *
     * @param name   the class name as read
     * @param loader unused: the set holds the job's classes (kept for callers)
     * @param where  what read the name, for the message (e.g. {@code "frame on edge 2 channel 0"})
     * @return the class, whose serde {@link #forClass} then gives
     * @throws SerdeException naming the class and {@code where} if it is none of these; nothing has been instantiated
     */
    public Class<?> resolve(String name, ClassLoader loader, String where) {
        Class<?> c = carried.byName(name);
        if (c != null) {
            return c; // one lookup: dynamic values resolve their class per value
        }
        if (name.length() > 512 || !(JAVA_NAME.matcher(name).matches() || name.startsWith("["))) {
            throw new SerdeException(where + ": names class '" + abbreviate(name) + "', which is not a class name;"
                    + " refused");
        }
        if (name.startsWith("java.util.")) {
            // a JDK list, set or map is read element by element into a known collection class: nothing of the
            // named one runs, and the bootstrap loader defines nothing of the job's
            try {
                c = Class.forName(name, false, null);
                if (JdkCollectionSerde.handles(c)) {
                    return c;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // refused below
            }
        }
        throw new SerdeException(where + ": names class " + name + ", which is not a type this job can carry "
                + CARRIED + "; refused. If the job does send it, declare it: .returns(" + simpleName(name)
                + ".class) on the operator that emits it, or pipeline.registerType(" + simpleName(name) + ".class)");
    }

    private static String simpleName(String name) {
        String s = name.substring(name.lastIndexOf('.') + 1);
        return s.substring(s.lastIndexOf('$') + 1);
    }

    private static final java.util.regex.Pattern JAVA_NAME =
            java.util.regex.Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /**
     * The serde for {@code type}, building and caching it if needed; see the class docs for the order.
     *
     * @throws SerdeException if no serde is registered, built in, or can be built for {@code type}
     */
    @SuppressWarnings("unchecked")
    public <T> Serde<T> forClass(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Class<?> key = key(type);
        Serde<?> found = serdes.get(key);
        if (found != null) {
            return (Serde<T>) found;
        }
        if (building.get().contains(key)) {
            return new DeferredSerde<>((Class<T>) key, this); // recursive record: resolve on first use
        }
        Serde<?> created = create(key);
        Serde<?> raced = serdes.putIfAbsent(key, created);
        return (Serde<T>) (raced != null ? raced : created);
    }

    /**
     * The serde for the runtime class of {@code value}: {@code forClass(value.getClass())}.
     *
     * @throws SerdeException if {@code value} is null or its class has no serde
     */
    @SuppressWarnings("unchecked")
    public Serde<Object> forValue(Object value) {
        if (value == null) {
            throw new SerdeException("Cannot choose a serde for a null value; look one up by class and wrap it"
                    + " with Serdes.nullable(...)");
        }
        return (Serde<Object>) forClass(value.getClass());
    }

    /** The serde for a possibly generic type, as declared by a record component. */
    Serde<?> forType(Type type) {
        if (type instanceof Class<?> c) {
            return forClass(c);
        }
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class || raw == ArrayList.class) {
                return Serdes.listOf(forType(args[0]));
            }
            if (raw == Map.class || raw == HashMap.class) {
                return Serdes.mapOf(forType(args[0]), forType(args[1]));
            }
            return forClass(raw);
        }
        if (type instanceof WildcardType w) {
            if (w.getLowerBounds().length > 0) {
                throw new SerdeException("Wildcard " + w + " with a lower bound has no serde; declare a concrete type");
            }
            return forType(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?>) {
            return new DynamicSerde(this);
        }
        if (type instanceof GenericArrayType) {
            throw new SerdeException("Generic array type " + type.getTypeName() + " has no serde; use List<X>");
        }
        throw new SerdeException("Unsupported type " + type.getTypeName());
    }

    /** Marks {@code record} as being built on this thread; false if it already was. */
    boolean startBuilding(Class<?> record) {
        return building.get().add(record);
    }

    void finishBuilding(Class<?> record) {
        Set<Class<?>> set = building.get();
        set.remove(record);
        if (set.isEmpty()) {
            building.remove();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Serde<?> create(Class<?> type) {
        if (Enum.class.isAssignableFrom(type) && type != Enum.class) {
            if (!type.isEnum()) {
                return forClass(type.getSuperclass()); // constant with a body: an anonymous subclass
            }
            return new EnumSerde(type);
        }
        if (type.isRecord()) {
            return RecordSerde.build(type, this);
        }
        if (type.isArray()) {
            return new ArraySerde(type, forClass(type.getComponentType()));
        }
        if (JdkCollectionSerde.handles(type)) {
            // values of an Object or interface component (List.of(...), new HashMap<>()): elements carry their class
            return new JdkCollectionSerde(type, this);
        }
        if (type == Object.class || (!type.isArray() && !type.isPrimitive()
                && (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())))) {
            return new DynamicSerde(this);
        }
        throw unsupported(type);
    }

    private static SerdeException unsupported(Class<?> type) {
        String name = type.getName();
        StringBuilder msg = new StringBuilder("No serde for ").append(name)
                .append(": register one with SerdeRegistry.register(").append(type.getSimpleName())
                .append(".class, serde), or make it a record whose components have serdes")
                .append(" (or, slow and only for trusted peers, opt in to Java serialization with")
                .append(" register(").append(type.getSimpleName()).append(".class, Serdes.javaSerialization(")
                .append(type.getSimpleName()).append(".class))).");
        if (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
            msg.append(" For collections, declare the record component as List<X> or Map<K, V>, or use"
                    + " Serdes.listOf / Serdes.mapOf.");
        }
        return new SerdeException(msg.toString());
    }

    private static Class<?> key(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        } else if (type == long.class) {
            return Long.class;
        } else if (type == double.class) {
            return Double.class;
        } else if (type == float.class) {
            return Float.class;
        } else if (type == boolean.class) {
            return Boolean.class;
        } else if (type == short.class) {
            return Short.class;
        } else if (type == byte.class) {
            return Byte.class;
        } else if (type == char.class) {
            return Character.class;
        }
        throw new SerdeException("No serde for " + type.getName());
    }
}
