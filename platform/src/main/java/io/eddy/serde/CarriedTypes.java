package io.eddy.serde;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The closed set of classes a job can carry: the types its plan declares (edges, keys, state, registered types)
 * and everything their serdes name: record components (with the arguments of {@code List<X>}/{@code Map<K,V>}
 * components), array components, enum constants with bodies, sealed interfaces' permitted subclasses. A type
 * whose serde the job registered is taken as it is (its serde is opaque). {@code Object}, type variables and
 * non-sealed interfaces add nothing: their values name their classes, which must be in the set some other way.
 *
 * <p>Lookups by name ({@link #byName}) never load a class, so a refused name has nothing of its class loaded or
 * initialized. Thread-safe: classes are added while a task builds its graph and opens its operators (trusted code,
 * its event loop) and looked up from any thread.
 */
final class CarriedTypes {
  private final ConcurrentHashMap<String, Class<?>> byName = new ConcurrentHashMap<>();

  /** The class of this name in the set, or null; nothing is loaded. */
  Class<?> byName(String name) {
    return byName.get(name);
  }

  boolean contains(Class<?> c) {
    return byName.get(c.getName()) == c;
  }

  /** Adds {@code c} alone (a built-in, or a class with a registered serde). */
  void addOpaque(Class<?> c) {
    byName.put(c.getName(), c);
  }

  /** Adds {@code type} and its closure; {@code opaque} tells classes whose serde was registered. */
  void add(Type type, Predicate<Class<?>> opaque) {
    Deque<Type> todo = new ArrayDeque<>();
    Set<Type> seen = new java.util.HashSet<>();
    todo.push(type);
    while (!todo.isEmpty()) {
      Type t = todo.pop();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof Class<?> c) {
        addClass(c, opaque, todo);
      } else if (t instanceof ParameterizedType p) {
        todo.push(p.getRawType());
        for (Type a : p.getActualTypeArguments()) {
          todo.push(a);
        }
      } else if (t instanceof GenericArrayType g) {
        todo.push(g.getGenericComponentType());
      } else if (t instanceof WildcardType w) {
        for (Type b : w.getUpperBounds()) {
          todo.push(b);
        }
      } else if (t instanceof TypeVariable<?>) {
        continue; // dynamic: each value names its class
      }
    }
  }

  private void addClass(Class<?> c, Predicate<Class<?>> opaque, Deque<Type> todo) {
    if (c.isPrimitive() || c == Object.class) {
      return; // boxed built-ins are in the set from the start; Object is only a dynamic position
    }
    boolean abstractType = !c.isArray() && (c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers()))
        && !c.isEnum();
    if (abstractType) {
      // never read by its own name (values name their classes); a sealed one brings its permitted subclasses
      if (c.isSealed()) {
        for (Class<?> p : c.getPermittedSubclasses()) {
          todo.push(p);
        }
      }
      return;
    }
    if (byName.putIfAbsent(c.getName(), c) != null || opaque.test(c)) {
      return; // its closure is in already, or its serde is the job's own
    }
    if (c.isArray()) {
      todo.push(c.getComponentType());
    } else if (c.isEnum()) {
      // a constant with a body is an anonymous subclass, and frames name it
      for (Object constant : c.getEnumConstants()) {
        byName.putIfAbsent(constant.getClass().getName(), constant.getClass());
      }
    } else if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        todo.push(rc.getGenericType());
      }
    } else if (c.isSealed()) {
      for (Class<?> p : c.getPermittedSubclasses()) {
        todo.push(p);
      }
    }
  }
}
