package io.eddy.graph;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the type a user function binds to one type parameter of its function interface or base class (the output
 * of a {@code MapFunction}, the key of a {@code KeySelector}...), as Flink's type extraction does:
 * <ul>
 *   <li>a class or anonymous class: through its {@code getGenericSuperclass()}/{@code getGenericInterfaces()}
 *       chain ({@code extends KeyedProcessFunction<String, Bid, Alert>});</li>
 *   <li>a lambda or method reference (the function interfaces are {@code Serializable}, so javac gives them a
 *       {@code writeReplace} returning a {@link SerializedLambda}; nothing is ever serialized): the implementation
 *       method's signature, matched against the interface method's. A method reference keeps its generic
 *       signature ({@code List<Word> tokenize(String)}); a lambda's synthetic method has only erased types, so a
 *       {@code Collector<R>} parameter or an {@code Object} result tells nothing.</li>
 * </ul>
 * An unknown type is not an error here: {@link Extracted#unknown} says why, and the plan refuses an edge whose type
 * is unknown. Pure functions of their arguments; thread-safe.
 */
public final class TypeExtraction {

  private TypeExtraction() {
  }

  /** The type found, or why none was: exactly one of the two is set. */
  public record Extracted(Type type, String why) {
    public static Extracted of(Type type) {
      return new Extracted(Objects.requireNonNull(type), null);
    }

    public static Extracted unknown(String why) {
      return new Extracted(null, why);
    }

    public boolean known() {
      return type != null;
    }
  }

  /**
   * The type {@code function} binds to type parameter {@code index} of {@code base}.
   *
   * @param function a user function (class instance, lambda or method reference)
   * @param base     the function interface or abstract class it implements
   * @param index    which of {@code base}'s type parameters
   */
  public static Extracted typeArgument(Object function, Class<?> base, int index) {
    Objects.requireNonNull(function, "function");
    SerializedLambda lambda = serializedLambda(function);
    if (lambda != null) {
      return fromLambda(function, lambda, base, index);
    }
    if (function.getClass().isSynthetic() || function.getClass().isHidden()) {
      return Extracted.unknown(describe(function) + " is a lambda of a function interface that is not"
          + " Serializable, so its implementation method cannot be found");
    }
    return fromClass(function.getClass(), base, index, describe(function));
  }

  /** The type {@code type} (a class, possibly parameterized) binds to {@code base}'s parameter {@code index}. */
  public static Extracted fromClass(Type type, Class<?> base, int index, String what) {
    Type t = argumentOf(type, base, index);
    if (t == null) {
      return Extracted.unknown(what + " does not declare the type argument " + base.getTypeParameters()[index]
          + " of " + base.getSimpleName() + " (a raw type)");
    }
    if (!concrete(t)) {
      return Extracted.unknown(what + " declares " + base.getSimpleName() + "'s "
          + base.getTypeParameters()[index] + " as " + t.getTypeName() + ", a type variable erased at run time");
    }
    return Extracted.of(t instanceof WildcardType w ? w.getUpperBounds()[0] : t);
  }

  /** How a function is named in messages: its class, or the method a lambda or method reference runs. */
  public static String describe(Object function) {
    SerializedLambda l = serializedLambda(function);
    if (l != null) {
      String owner = l.getImplClass().replace('/', '.');
      String method = l.getImplMethodName();
      if (method.startsWith("lambda$")) {
        return "the lambda in " + owner + " (" + method + ")";
      }
      return "the method reference " + owner + "::" + ("<init>".equals(method) ? "new" : method);
    }
    Class<?> c = function.getClass();
    if (c.isAnonymousClass()) {
      return "the anonymous class " + c.getName();
    }
    return "class " + c.getName();
  }

  /** The {@link SerializedLambda} of a serializable lambda or method reference, else null. */
  static SerializedLambda serializedLambda(Object function) {
    Class<?> c = function.getClass();
    if (!c.isSynthetic() && !c.isHidden()) {
      return null;
    }
    try {
      Method m = c.getDeclaredMethod("writeReplace");
      m.setAccessible(true);
      return m.invoke(function) instanceof SerializedLambda s ? s : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Extracted fromLambda(Object function, SerializedLambda l, Class<?> base, int index) {
    String what = describe(function);
    Method sam = abstractMethod(base, l.getFunctionalInterfaceMethodName());
    if (sam == null) {
      return Extracted.unknown(what + " implements no method of " + base.getSimpleName());
    }
    Executable impl;
    Class<?> implClass;
    try {
      implClass = Class.forName(l.getImplClass().replace('/', '.'), false, function.getClass().getClassLoader());
      impl = implementation(implClass, l.getImplMethodName(), l.getImplMethodSignature());
    } catch (ClassNotFoundException | LinkageError e) {
      impl = null;
      implClass = null;
    }
    if (impl == null) {
      return Extracted.unknown(what + ": its implementation method cannot be found");
    }
    int kind = l.getImplMethodKind();
    boolean receiver = kind == MethodHandleInfo.REF_invokeVirtual || kind == MethodHandleInfo.REF_invokeInterface
        || kind == MethodHandleInfo.REF_invokeSpecial;
    List<Type> effective = new ArrayList<>();
    if (receiver) {
      effective.add(implClass);
    }
    effective.addAll(Arrays.asList(impl.getGenericParameterTypes()));
    if (impl instanceof Constructor<?> && effective.size() > impl.getParameterCount()) {
      effective = effective.subList(effective.size() - impl.getParameterCount(), effective.size());
    }
    Type result = impl instanceof Method m ? m.getGenericReturnType() : implClass;
    Type[] samParams = sam.getGenericParameterTypes();
    int offset = effective.size() - samParams.length; // captured arguments come first
    if (offset < 0) {
      return Extracted.unknown(what + ": its implementation takes fewer arguments than "
          + base.getSimpleName() + "." + sam.getName());
    }
    boolean synthetic = l.getImplMethodName().startsWith("lambda$");
    Map<TypeVariable<?>, Type> bound = new HashMap<>();
    if (sam.getReturnType() != void.class) {
      unify(sam.getGenericReturnType(), result, bound, synthetic);
    }
    for (int i = 0; i < samParams.length; i++) {
      unify(samParams[i], effective.get(offset + i), bound, synthetic);
    }
    Type t = bound.get(base.getTypeParameters()[index]);
    if (t == null) {
      String erased = synthetic
          ? " (a lambda's types are erased: a Collector<R> parameter or a Future<R> or other generic result tells nothing)"
          : " (its signature leaves it open)";
      return Extracted.unknown(what + " does not show " + base.getSimpleName() + "'s "
          + base.getTypeParameters()[index] + erased);
    }
    return Extracted.of(t);
  }

  /** Binds the type variables of {@code pattern} (from the interface) to what {@code actual} has there. */
  private static void unify(Type pattern, Type actual, Map<TypeVariable<?>, Type> bound, boolean erased) {
    if (actual == null) {
      return;
    }
    if (actual instanceof Class<?> c && c.isPrimitive()) {
      actual = boxed(c);
    }
    if (pattern instanceof TypeVariable<?> v) {
      if (!bound.containsKey(v) && concrete(actual) && !(erased && actual == Object.class)) {
        bound.put(v, actual instanceof WildcardType w ? w.getUpperBounds()[0] : actual);
      }
    } else if (pattern instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (!raw.isAssignableFrom(rawOf(actual))) {
        return;
      }
      Type[] args = p.getActualTypeArguments();
      for (int i = 0; i < args.length; i++) {
        unify(args[i], argumentOf(actual, raw, i), bound, erased);
      }
    } else if (pattern instanceof GenericArrayType g) {
      if (actual instanceof Class<?> c && c.isArray()) {
        unify(g.getGenericComponentType(), c.getComponentType(), bound, erased);
      } else if (actual instanceof GenericArrayType a) {
        unify(g.getGenericComponentType(), a.getGenericComponentType(), bound, erased);
      }
    } else if (pattern instanceof WildcardType w) {
      unify(w.getUpperBounds()[0], actual, bound, erased);
    }
  }

  /**
   * What {@code type} binds to {@code base}'s type parameter {@code index}, following the supertype chain and
   * substituting type arguments on the way; null if a raw type leaves it unbound.
   */
  static Type argumentOf(Type type, Class<?> base, int index) {
    return argumentOf(type, base, index, Map.of());
  }

  private static Type argumentOf(Type type, Class<?> base, int index, Map<TypeVariable<?>, Type> env) {
    Class<?> raw = rawOf(type);
    if (raw == null || !base.isAssignableFrom(raw)) {
      return null;
    }
    Map<TypeVariable<?>, Type> here = new HashMap<>();
    if (type instanceof ParameterizedType p) {
      TypeVariable<?>[] vars = raw.getTypeParameters();
      Type[] args = p.getActualTypeArguments();
      for (int i = 0; i < vars.length && i < args.length; i++) {
        here.put(vars[i], substitute(args[i], env));
      }
    }
    if (raw == base) {
      return type instanceof ParameterizedType ? here.get(base.getTypeParameters()[index]) : null;
    }
    List<Type> supers = new ArrayList<>();
    if (raw.getGenericSuperclass() != null) {
      supers.add(raw.getGenericSuperclass());
    }
    supers.addAll(Arrays.asList(raw.getGenericInterfaces()));
    for (Type s : supers) {
      Class<?> sr = rawOf(s);
      if (sr != null && base.isAssignableFrom(sr)) {
        return argumentOf(substitute(s, here), base, index, here);
      }
    }
    return null;
  }

  /** {@code type} with the variables of {@code env} replaced. */
  private static Type substitute(Type type, Map<TypeVariable<?>, Type> env) {
    if (env.isEmpty()) {
      return type;
    }
    if (type instanceof TypeVariable<?> v) {
      return env.getOrDefault(v, v);
    }
    if (type instanceof ParameterizedType p) {
      Type[] args = p.getActualTypeArguments().clone();
      for (int i = 0; i < args.length; i++) {
        args[i] = substitute(args[i], env);
      }
      return new Parameterized((Class<?>) p.getRawType(), args, p.getOwnerType());
    }
    if (type instanceof GenericArrayType g) {
      Type c = substitute(g.getGenericComponentType(), env);
      return c instanceof Class<?> cc ? cc.arrayType() : type;
    }
    if (type instanceof WildcardType w && w.getLowerBounds().length == 0) {
      return substitute(w.getUpperBounds()[0], env);
    }
    return type;
  }

  /** Whether {@code t} names no type variable (so it means the same at run time). */
  public static boolean concrete(Type t) {
    if (t instanceof Class<?>) {
      return true;
    }
    if (t instanceof ParameterizedType p) {
      return Arrays.stream(p.getActualTypeArguments()).allMatch(TypeExtraction::concrete);
    }
    if (t instanceof GenericArrayType g) {
      return concrete(g.getGenericComponentType());
    }
    if (t instanceof WildcardType w) {
      return w.getLowerBounds().length == 0 && concrete(w.getUpperBounds()[0]);
    }
    return false;
  }

  /** The class of a type ({@code List} for {@code List<Word>}), or null for a type variable. */
  public static Class<?> rawOf(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    if (t instanceof GenericArrayType g) {
      Class<?> c = rawOf(g.getGenericComponentType());
      return c == null ? null : c.arrayType();
    }
    if (t instanceof WildcardType w) {
      return rawOf(w.getUpperBounds()[0]);
    }
    return null;
  }

  private static Method abstractMethod(Class<?> base, String name) {
    for (Method m : base.getMethods()) {
      if (m.getName().equals(name) && Modifier.isAbstract(m.getModifiers())) {
        return m;
      }
    }
    return null;
  }

  private static Executable implementation(Class<?> owner, String name, String descriptor) {
    for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
      Executable found = declared(c, name, descriptor);
      if (found != null) {
        return found;
      }
    }
    for (Class<?> i : owner.getInterfaces()) {
      Executable found = declared(i, name, descriptor);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static Executable declared(Class<?> c, String name, String descriptor) {
    if ("<init>".equals(name)) {
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (MethodType.methodType(void.class, k.getParameterTypes()).toMethodDescriptorString().equals(descriptor)) {
          return k;
        }
      }
      return null;
    }
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(name)
          && MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString()
              .equals(descriptor)) {
        return m;
      }
    }
    return null;
  }

  private static Class<?> boxed(Class<?> c) {
    return MethodType.methodType(c).wrap().returnType();
  }

  /** A parameterized type built by substitution. */
  private record Parameterized(Class<?> raw, Type[] args, Type owner) implements ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return args.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public Type getOwnerType() {
      return owner;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ParameterizedType p && raw.equals(p.getRawType())
          && Arrays.equals(args, p.getActualTypeArguments()) && Objects.equals(owner, p.getOwnerType());
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(args) ^ raw.hashCode() ^ Objects.hashCode(owner);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(raw.getTypeName()).append('<');
      for (int i = 0; i < args.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(args[i].getTypeName());
      }
      return sb.append('>').toString();
    }
  }
}
