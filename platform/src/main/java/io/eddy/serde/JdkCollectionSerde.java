package io.eddy.serde;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The JDK's concrete lists, sets and maps, as the run-time classes of values (an {@code Object} or interface
 * component, or a component declared as such a class): size, then each element (and value) with its own class
 * ({@link DynamicSerde}). A value reads back as the same class for the common mutable ones ({@code ArrayList},
 * {@code LinkedList}, {@code HashSet}, {@code LinkedHashSet}, {@code TreeSet}, {@code HashMap},
 * {@code LinkedHashMap}, {@code TreeMap}, {@code ConcurrentHashMap}), and otherwise (immutable {@code List.of},
 * {@code Map.of}...) as an equal {@code ArrayList}, {@code HashSet} or {@code HashMap}. Sorted ones are read back
 * in natural order (a comparator is not carried). Nothing of a class named on the wire is instantiated but these.
 */
final class JdkCollectionSerde implements Serde<Object> {
    private static final Map<Class<?>, Supplier<Object>> MUTABLE = Map.of(
            ArrayList.class, ArrayList::new, LinkedList.class, LinkedList::new,
            HashSet.class, HashSet::new, LinkedHashSet.class, LinkedHashSet::new, TreeSet.class, TreeSet::new,
            HashMap.class, HashMap::new, LinkedHashMap.class, LinkedHashMap::new, TreeMap.class, TreeMap::new,
            ConcurrentHashMap.class, ConcurrentHashMap::new);

    private final Serde<Object> element;
    private final boolean map;
    private final Supplier<Object> create;
    private final String id;

    JdkCollectionSerde(Class<?> type, SerdeRegistry registry) {
        this.element = new DynamicSerde(registry);
        this.map = Map.class.isAssignableFrom(type);
        Supplier<Object> fallback = map ? HashMap::new : Set.class.isAssignableFrom(type) ? HashSet::new : ArrayList::new;
        this.create = MUTABLE.getOrDefault(type, fallback);
        this.id = "eddy.jdk-collection<" + (map ? "map" : "collection") + ">:" + version();
    }

    /** Whether {@code type} is a concrete list, set or map class of the JDK (not an interface or abstract class). */
    static boolean handles(Class<?> type) {
        ClassLoader definer = type.getClassLoader();
        boolean jdk = definer == null || definer == ClassLoader.getPlatformClassLoader();
        return jdk && !type.isInterface() && !java.lang.reflect.Modifier.isAbstract(type.getModifiers())
                && (List.class.isAssignableFrom(type) || Set.class.isAssignableFrom(type)
                || Map.class.isAssignableFrom(type));
    }

    @Override
    public void write(Object value, DataWriter out) {
        if (map) {
            Map<?, ?> m = (Map<?, ?>) value;
            out.writeVarInt(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                element.write(e.getKey(), out);
                element.write(e.getValue(), out);
            }
        } else {
            Collection<?> c = (Collection<?>) value;
            out.writeVarInt(c.size());
            for (Object e : c) {
                element.write(e, out);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object read(DataReader in) {
        int n = in.readVarInt();
        if (n < 0 || n > in.remaining()) { // every element takes at least one byte
            throw new SerdeException("Corrupt input: collection size " + Integer.toUnsignedString(n)
                    + " before position " + in.position());
        }
        Object result = create.get();
        if (map) {
            Map<Object, Object> m = (Map<Object, Object>) result;
            for (int i = 0; i < n; i++) {
                Object k = element.read(in);
                m.put(k, element.read(in));
            }
        } else {
            Collection<Object> c = (Collection<Object>) result;
            for (int i = 0; i < n; i++) {
                c.add(element.read(in));
            }
        }
        return result;
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
