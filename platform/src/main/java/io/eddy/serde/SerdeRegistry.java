package io.eddy.serde;

import java.io.Serializable;
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
 *   <li>records, built once by reflection ({@link Serdes#record}). Component types resolve through this
 *       registry; {@code List<X>}/{@code ArrayList<X>} and {@code Map<K,V>}/{@code HashMap<K,V>} components
 *       use {@link Serdes#listOf}/{@link Serdes#mapOf} with the element types from the generic signature;
 *       nested and recursive records work;</li>
 *   <li>as a last resort, Java serialization for {@link Serializable} classes. <b>Slow</b>; register a
 *       serde or use a record for anything on a hot path.</li>
 * </ol>
 * Anything else fails with a {@link SerdeException} naming the class and how to fix it.
 *
 * <p>Register serdes before the first lookup that needs them: serdes already built (e.g. a record
 * serde for a record with a component of the re-registered type) keep what they resolved.
 */
public final class SerdeRegistry {

    private final ConcurrentHashMap<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();
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
        return this;
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
        if (type == Object.class || (!type.isArray() && !type.isPrimitive()
                && (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())))) {
            return new DynamicSerde(this);
        }
        if (Serializable.class.isAssignableFrom(type)) {
            return new JavaSerializationSerde<>(type);
        }
        throw unsupported(type);
    }

    private static SerdeException unsupported(Class<?> type) {
        String name = type.getName();
        StringBuilder msg = new StringBuilder("No serde for ").append(name)
                .append(": register one with SerdeRegistry.register(").append(type.getSimpleName())
                .append(".class, serde), or make it a record whose components have serdes")
                .append(" (or, slow, make it java.io.Serializable).");
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
