package io.eddy.format;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a Java record to and from JSON objects and CSV fields by its component names. Component
 * types: the primitives and their boxes, {@code String}, {@code BigDecimal}, {@code Instant}
 * (ISO-8601 text or epoch milliseconds), enums (by constant name), {@code JsonObject},
 * {@code JsonArray}, nested records and {@code List}s of any of these (JSON only). Nothing is
 * looked up by a name found in the data: the record class is fixed when the format is made.
 */
public final class RecordMapping<R extends Record> {
  private final Class<R> type;
  private final RecordComponent[] components;
  private final Constructor<R> constructor;

  private RecordMapping(Class<R> type) {
    this.type = type;
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      this.constructor = type.getDeclaredConstructor(types);
      this.constructor.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(type.getName() + " has no canonical constructor", e);
    }
  }

  public static <R extends Record> RecordMapping<R> of(Class<R> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    return new RecordMapping<>(type);
  }

  public Class<R> type() {
    return type;
  }

  /** The component names in declaration order (the CSV columns without a header). */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : components) {
      names.add(c.getName());
    }
    return names;
  }

  public R fromJson(JsonObject json) {
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      Object raw = json.getValue(c.getName());
      args[i] = fromJsonValue(raw, c.getType(), c.getGenericType(), c.getName());
    }
    return construct(args);
  }

  public JsonObject toJson(R record) {
    JsonObject out = new JsonObject();
    for (RecordComponent c : components) {
      out.put(c.getName(), toJsonValue(read(c, record)));
    }
    return out;
  }

  /** Builds a record from text fields, {@code fields[i]} for component {@code order[i]}. */
  R fromFields(String[] fields, int[] order) {
    Object[] args = new Object[components.length];
    boolean[] seen = new boolean[components.length];
    for (int i = 0; i < order.length; i++) {
      if (order[i] < 0) {
        continue; // a column no component wants
      }
      RecordComponent c = components[order[i]];
      args[order[i]] = fromText(fields[i], c.getType(), c.getName());
      seen[order[i]] = true;
    }
    for (int i = 0; i < components.length; i++) {
      if (!seen[i]) {
        args[i] = fromText("", components[i].getType(), components[i].getName());
      }
    }
    return construct(args);
  }

  /** The components' values as text, in declaration order (null as the empty string). */
  String[] toFields(R record) {
    String[] out = new String[components.length];
    for (int i = 0; i < components.length; i++) {
      Object v = read(components[i], record);
      out[i] = v == null ? "" : v instanceof Instant t ? t.toString() : String.valueOf(v);
    }
    return out;
  }

  int indexOf(String name) {
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private R construct(Object[] args) {
    try {
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      // the record's own validation rejected the values: that is the data's fault
      throw new FormatException(type.getSimpleName() + " rejected the values: " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object read(RecordComponent c, Record r) {
    try {
      c.getAccessor().setAccessible(true);
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object fromJsonValue(Object raw, Class<?> t, Type generic, String field) {
    if (raw == null) {
      if (t.isPrimitive()) {
        throw new FormatException("field '" + field + "' is missing");
      }
      return null;
    }
    try {
      if (t == String.class) {
        if (raw instanceof String s) {
          return s;
        }
        throw new FormatException("field '" + field + "': " + describe(raw) + " where a string was expected");
      }
      if (t == int.class || t == Integer.class) {
        return Math.toIntExact(integral(raw, field));
      }
      if (t == long.class || t == Long.class) {
        return integral(raw, field);
      }
      if (t == short.class || t == Short.class) {
        long v = integral(raw, field);
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
          throw new FormatException("field '" + field + "': " + v + " is out of range");
        }
        return (short) v;
      }
      if (t == byte.class || t == Byte.class) {
        long v = integral(raw, field);
        if (v < Byte.MIN_VALUE || v > Byte.MAX_VALUE) {
          throw new FormatException("field '" + field + "': " + v + " is out of range");
        }
        return (byte) v;
      }
      if (t == double.class || t == Double.class) {
        return number(raw, field).doubleValue();
      }
      if (t == float.class || t == Float.class) {
        return number(raw, field).floatValue();
      }
      if (t == BigDecimal.class) {
        return raw instanceof String s ? new BigDecimal(s) : new BigDecimal(number(raw, field).toString());
      }
      if (t == boolean.class || t == Boolean.class) {
        if (raw instanceof Boolean b) {
          return b;
        }
        throw new FormatException("field '" + field + "': " + describe(raw) + " where a boolean was expected");
      }
      if (t == Instant.class) {
        return raw instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.parse(raw.toString());
      }
      if (t.isEnum()) {
        return Enum.valueOf((Class) t, raw.toString());
      }
      if (t == JsonObject.class || t == JsonArray.class) {
        if (t.isInstance(raw)) {
          return raw;
        }
        throw new FormatException("field '" + field + "': " + describe(raw) + " where " + t.getSimpleName() + " was expected");
      }
      if (t.isRecord()) {
        if (raw instanceof JsonObject o) {
          return of((Class<Record>) t).fromJson(o);
        }
        throw new FormatException("field '" + field + "': " + describe(raw) + " where an object was expected");
      }
      if (t == List.class) {
        if (!(raw instanceof JsonArray a)) {
          throw new FormatException("field '" + field + "': " + describe(raw) + " where an array was expected");
        }
        Type element = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        Class<?> elementClass = element instanceof Class<?> c ? c
            : element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        List<Object> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
          out.add(elementClass == Object.class ? a.getValue(i)
              : fromJsonValue(a.getValue(i), elementClass, element, field + "[" + i + "]"));
        }
        return out;
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      throw new FormatException("field '" + field + "': " + describe(raw) + " is not a valid " + t.getSimpleName());
    } catch (IllegalArgumentException e) {
      throw new FormatException("field '" + field + "': " + describe(raw) + " is not one of " + java.util.Arrays.toString(t.getEnumConstants()));
    }
    throw new IllegalArgumentException("record component '" + field + "' has a type no format maps: " + t.getName());
  }

  private static long integral(Object raw, String field) {
    Number n = number(raw, field);
    if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
      double d = n.doubleValue();
      if (d != Math.rint(d)) {
        throw new FormatException("field '" + field + "': " + raw + " is not a whole number");
      }
    }
    return n.longValue();
  }

  private static Number number(Object raw, String field) {
    if (raw instanceof Number n) {
      return n;
    }
    throw new FormatException("field '" + field + "': " + describe(raw) + " where a number was expected");
  }

  private static String describe(Object raw) {
    return raw instanceof String s ? "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'" : String.valueOf(raw);
  }

  private static Object toJsonValue(Object v) {
    if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean
        || v instanceof JsonObject || v instanceof JsonArray) {
      return v instanceof BigDecimal b ? b.toPlainString() : v;
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    if (v instanceof Record r) {
      JsonObject out = new JsonObject();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        out.put(c.getName(), toJsonValue(read(c, r)));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      JsonArray a = new JsonArray();
      l.forEach(x -> a.add(toJsonValue(x)));
      return a;
    }
    throw new FormatException("a " + v.getClass().getName() + " cannot be written as JSON");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object fromText(String s, Class<?> t, String field) {
    if (t == String.class) {
      return s;
    }
    if (s.isEmpty()) {
      if (t.isPrimitive()) {
        throw new FormatException("field '" + field + "' is empty");
      }
      return null;
    }
    try {
      if (t == int.class || t == Integer.class) {
        return Integer.parseInt(s.trim());
      }
      if (t == long.class || t == Long.class) {
        return Long.parseLong(s.trim());
      }
      if (t == short.class || t == Short.class) {
        return Short.parseShort(s.trim());
      }
      if (t == byte.class || t == Byte.class) {
        return Byte.parseByte(s.trim());
      }
      if (t == double.class || t == Double.class) {
        return Double.parseDouble(s.trim());
      }
      if (t == float.class || t == Float.class) {
        return Float.parseFloat(s.trim());
      }
      if (t == BigDecimal.class) {
        return new BigDecimal(s.trim());
      }
      if (t == boolean.class || t == Boolean.class) {
        String v = s.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(v);
        }
        throw new FormatException("field '" + field + "': '" + s + "' is not true or false");
      }
      if (t == Instant.class) {
        String v = s.trim();
        return v.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(v)) : Instant.parse(v);
      }
      if (t.isEnum()) {
        return Enum.valueOf((Class) t, s.trim());
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new FormatException("field '" + field + "': " + describe(s) + " is not a valid " + t.getSimpleName());
    } catch (IllegalArgumentException e) {
      throw new FormatException("field '" + field + "': " + describe(s) + " is not one of " + java.util.Arrays.toString(t.getEnumConstants()));
    }
    throw new IllegalArgumentException("record component '" + field + "' has a type CSV cannot map: " + t.getName());
  }
}
