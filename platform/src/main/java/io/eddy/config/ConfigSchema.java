package io.eddy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A small declarative schema for JSON configuration files, shared by job files and node files.
 *
 * <p>A schema is built fluently from the static factories and refined by the instance methods, for example
 * <pre>{@code
 * ConfigSchema.object()
 *     .required("job", ConfigSchema.string())
 *     .optional("parallelism", ConfigSchema.integer().min(1).max(32768))
 *     .optional("stateBackend", ConfigSchema.oneOf("heap", "rocksdb"))
 *     .optional("params", ConfigSchema.openObject());
 * }</pre>
 *
 * <p>The kinds of value:
 * <ul>
 *   <li>{@link #string()}, optionally {@link #nonEmpty()}, {@link #matching(String, String)}, or restricted to
 *       a set with {@link #oneOf(String...)};</li>
 *   <li>{@link #integer()}: a JSON number written without a fraction or exponent part ({@code 2.0} and
 *       {@code 1e3} are rejected); unless {@link #min(long)}/{@link #max(long)} say otherwise it must fit a
 *       32-bit {@code int};</li>
 *   <li>{@link #number()}: any finite JSON number, optionally bounded;</li>
 *   <li>{@link #bool()}: {@code true} or {@code false};</li>
 *   <li>{@link #object()}: closed, only the keys declared with {@link #required} and {@link #optional};</li>
 *   <li>{@link #openObject()}: any keys, each value a string, number or boolean;</li>
 *   <li>{@link #arrayOf(ConfigSchema)}: every element matching one schema, optionally {@link #nonEmpty()}.</li>
 * </ul>
 * JSON {@code null} is never accepted; an optional key is left out rather than set to null.
 *
 * <p>Every schema is immutable and thread-safe: each refining method returns a new schema and leaves the
 * receiver untouched, so a schema can be kept in a constant and extended elsewhere. Misuse while building
 * (a refinement that does not fit the kind, a key declared twice, min above max) throws
 * {@link IllegalStateException} or {@link IllegalArgumentException}; these are programming errors.
 *
 * <p>{@link #validate(JsonObject, String)} reports the first problem as a {@link ConfigException} whose one-line
 * message starts with the source name and gives the dotted key path, e.g.
 * {@code conf/jobs/a.json: key 'sinks[2].path': expected a string, found 12} or
 * {@code conf/jobs/a.json: unknown key 'frame.maxByte' (allowed keys: maxRecords, maxBytes, ...)}. Unknown
 * keys of an object are reported before its missing or invalid ones, so a misspelt key is named as such.
 */
public final class ConfigSchema {

    private static final int MAX_FOUND_CHARS = 40;

    private enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, OBJECT, OPEN_OBJECT, ARRAY }

    private record Field(ConfigSchema schema, boolean required) { }

    private final Kind kind;
    private final Long min;
    private final Long max;
    private final boolean nonEmpty;
    private final List<String> allowed;
    private final Pattern pattern;
    private final String patternDescription;
    private final Map<String, Field> fields;
    private final ConfigSchema element;

    private ConfigSchema(Kind kind, Long min, Long max, boolean nonEmpty, List<String> allowed, Pattern pattern,
                         String patternDescription, Map<String, Field> fields, ConfigSchema element) {
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.nonEmpty = nonEmpty;
        this.allowed = allowed;
        this.pattern = pattern;
        this.patternDescription = patternDescription;
        this.fields = fields;
        this.element = element;
    }

    private static ConfigSchema of(Kind kind) {
        return new ConfigSchema(kind, null, null, false, null, null, null, Collections.emptyMap(), null);
    }

    /** @return a schema accepting any JSON string */
    public static ConfigSchema string() {
        return of(Kind.STRING);
    }

    /**
     * @param values the accepted strings, compared exactly (case-sensitive)
     * @return a schema accepting only one of {@code values}
     */
    public static ConfigSchema oneOf(String... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("oneOf needs at least one value");
        }
        List<String> list = List.of(values);
        return new ConfigSchema(Kind.STRING, null, null, false, list, null, null, Collections.emptyMap(), null);
    }

    /** @return a schema accepting an integral JSON number within the {@code int} range unless bounded otherwise */
    public static ConfigSchema integer() {
        return of(Kind.INTEGER);
    }

    /** @return a schema accepting any finite JSON number */
    public static ConfigSchema number() {
        return of(Kind.NUMBER);
    }

    /** @return a schema accepting {@code true} or {@code false} */
    public static ConfigSchema bool() {
        return of(Kind.BOOLEAN);
    }

    /** @return a schema for an object with no keys yet; add them with {@link #required} and {@link #optional} */
    public static ConfigSchema object() {
        return of(Kind.OBJECT);
    }

    /** @return a schema for an object with any keys whose values are strings, numbers or booleans */
    public static ConfigSchema openObject() {
        return of(Kind.OPEN_OBJECT);
    }

    /**
     * @param elementSchema the schema every element must match
     * @return a schema for a JSON array
     */
    public static ConfigSchema arrayOf(ConfigSchema elementSchema) {
        Objects.requireNonNull(elementSchema, "elementSchema");
        return new ConfigSchema(Kind.ARRAY, null, null, false, null, null, null, Collections.emptyMap(), elementSchema);
    }

    /**
     * Declares a key that must be present. Only for {@link #object()} schemas.
     *
     * @param key    the key, reported in messages and in the list of allowed keys
     * @param schema the schema its value must match
     * @return a new schema with the key added after the keys declared so far
     */
    public ConfigSchema required(String key, ConfigSchema schema) {
        return withField(key, schema, true);
    }

    /**
     * Declares a key that may be left out. Only for {@link #object()} schemas.
     *
     * @param key    the key, reported in messages and in the list of allowed keys
     * @param schema the schema its value must match when present
     * @return a new schema with the key added after the keys declared so far
     */
    public ConfigSchema optional(String key, ConfigSchema schema) {
        return withField(key, schema, false);
    }

    /**
     * Sets the smallest accepted value. Only for {@link #integer()} and {@link #number()}.
     *
     * @param value the lower bound
     * @return a new schema with the lower bound (inclusive)
     */
    public ConfigSchema min(long value) {
        requireKind("min", Kind.INTEGER, Kind.NUMBER);
        if (max != null && value > max) {
            throw new IllegalArgumentException("min " + value + " is above max " + max);
        }
        return new ConfigSchema(kind, value, max, nonEmpty, allowed, pattern, patternDescription, fields, element);
    }

    /**
     * Sets the largest accepted value. Only for {@link #integer()} and {@link #number()}.
     *
     * @param value the upper bound
     * @return a new schema with the upper bound (inclusive)
     */
    public ConfigSchema max(long value) {
        requireKind("max", Kind.INTEGER, Kind.NUMBER);
        if (min != null && value < min) {
            throw new IllegalArgumentException("max " + value + " is below min " + min);
        }
        return new ConfigSchema(kind, min, value, nonEmpty, allowed, pattern, patternDescription, fields, element);
    }

    /**
     * Rejects the empty string or the empty array. Only for {@link #string()} and {@link #arrayOf}.
     *
     * @return a new schema that rejects an empty value
     */
    public ConfigSchema nonEmpty() {
        requireKind("nonEmpty", Kind.STRING, Kind.ARRAY);
        return new ConfigSchema(kind, min, max, true, allowed, pattern, patternDescription, fields, element);
    }

    /**
     * Requires the whole string to match a regular expression. Only for {@link #string()}.
     *
     * @param regex       the expression the whole value must match
     * @param description what a matching value is, for the message, e.g. {@code "a Java class name"}
     * @return a new schema with the pattern
     */
    public ConfigSchema matching(String regex, String description) {
        requireKind("matching", Kind.STRING);
        Objects.requireNonNull(description, "description");
        return new ConfigSchema(kind, min, max, nonEmpty, allowed, Pattern.compile(regex), description, fields, element);
    }

    /**
     * Checks {@code json} against this object schema.
     *
     * @param json   the parsed configuration
     * @param source the file name (or other origin) that starts every message
     * @throws ConfigException with a one-line message naming {@code source} and the key path on the first problem
     * @throws IllegalStateException if this schema is not an object schema
     */
    public void validate(JsonObject json, String source) {
        requireKind("validate", Kind.OBJECT, Kind.OPEN_OBJECT);
        Objects.requireNonNull(json, "json");
        check(json, "", source);
    }

    private void check(Object value, String path, String source) {
        switch (kind) {
            case STRING -> checkString(value, path, source);
            case INTEGER -> checkInteger(value, path, source);
            case NUMBER -> checkNumber(value, path, source);
            case BOOLEAN -> {
                if (!(value instanceof Boolean)) {
                    throw wrongType("a boolean", value, path, source);
                }
            }
            case OBJECT -> checkObject(value, path, source);
            case OPEN_OBJECT -> checkOpenObject(value, path, source);
            case ARRAY -> checkArray(value, path, source);
            default -> throw new AssertionError(kind);
        }
    }

    private void checkString(Object value, String path, String source) {
        if (!(value instanceof String s)) {
            throw wrongType(allowed == null ? "a string" : expectedOneOf(), value, path, source);
        }
        if (allowed != null && !allowed.contains(s)) {
            throw wrongType(expectedOneOf(), value, path, source);
        }
        if (nonEmpty && s.isEmpty()) {
            throw new ConfigException(source + ": " + where(path) + ": must not be empty");
        }
        if (pattern != null && !pattern.matcher(s).matches()) {
            throw wrongType(patternDescription, value, path, source);
        }
    }

    private void checkInteger(Object value, String path, String source) {
        BigInteger integral = integral(value);
        if (integral == null) {
            throw wrongType("an integer", value, path, source);
        }
        long lo = min != null ? min : Integer.MIN_VALUE;
        long hi = max != null ? max : Integer.MAX_VALUE;
        if (integral.compareTo(BigInteger.valueOf(lo)) < 0 || integral.compareTo(BigInteger.valueOf(hi)) > 0) {
            throw outOfRange(lo, hi, integral.compareTo(BigInteger.valueOf(lo)) < 0, value, path, source);
        }
    }

    private void checkNumber(Object value, String path, String source) {
        BigDecimal decimal = decimal(value);
        if (decimal == null) {
            throw wrongType("a number", value, path, source);
        }
        boolean below = min != null && decimal.compareTo(BigDecimal.valueOf(min)) < 0;
        boolean above = max != null && decimal.compareTo(BigDecimal.valueOf(max)) > 0;
        if (below || above) {
            long lo = min != null ? min : Long.MIN_VALUE;
            long hi = max != null ? max : Long.MAX_VALUE;
            throw outOfRange(lo, hi, below, value, path, source);
        }
    }

    private void checkObject(Object value, String path, String source) {
        if (!(value instanceof JsonObject object)) {
            throw wrongType("an object", value, path, source);
        }
        for (String key : object.fieldNames()) {
            if (!fields.containsKey(key)) {
                String allowedKeys = fields.isEmpty() ? "no keys are allowed here"
                        : "allowed keys: " + String.join(", ", fields.keySet());
                throw new ConfigException(source + ": unknown key '" + child(path, key) + "' (" + allowedKeys + ")");
            }
        }
        for (Map.Entry<String, Field> entry : fields.entrySet()) {
            String key = entry.getKey();
            if (!object.containsKey(key)) {
                if (entry.getValue().required()) {
                    throw new ConfigException(source + ": missing required key '" + child(path, key) + "'");
                }
                continue;
            }
            entry.getValue().schema().check(object.getValue(key), child(path, key), source);
        }
    }

    private static void checkOpenObject(Object value, String path, String source) {
        if (!(value instanceof JsonObject object)) {
            throw wrongType("an object", value, path, source);
        }
        for (String key : object.fieldNames()) {
            Object v = object.getValue(key);
            if (!(v instanceof String || v instanceof Boolean || decimal(v) != null)) {
                throw wrongType("a string, number or boolean", v, child(path, key), source);
            }
        }
    }

    private void checkArray(Object value, String path, String source) {
        if (!(value instanceof JsonArray array)) {
            throw wrongType("an array", value, path, source);
        }
        if (nonEmpty && array.isEmpty()) {
            throw new ConfigException(source + ": " + where(path) + ": must not be empty");
        }
        for (int i = 0; i < array.size(); i++) {
            element.check(array.getValue(i), path + "[" + i + "]", source);
        }
    }

    private String expectedOneOf() {
        StringBuilder sb = new StringBuilder("one of ");
        for (int i = 0; i < allowed.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(quote(allowed.get(i)));
        }
        return sb.toString();
    }

    private ConfigSchema withField(String key, ConfigSchema schema, boolean required) {
        requireKind(required ? "required" : "optional", Kind.OBJECT);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(schema, "schema");
        if (fields.containsKey(key)) {
            throw new IllegalArgumentException("key '" + key + "' is declared twice");
        }
        Map<String, Field> copy = new LinkedHashMap<>(fields);
        copy.put(key, new Field(schema, required));
        return new ConfigSchema(kind, min, max, nonEmpty, allowed, pattern, patternDescription,
                Collections.unmodifiableMap(copy), element);
    }

    private void requireKind(String operation, Kind... kinds) {
        if (!Arrays.asList(kinds).contains(kind)) {
            throw new IllegalStateException(operation + " does not apply to a " + describeKind() + " schema");
        }
    }

    private String describeKind() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** @return a short description of this schema's kind, e.g. {@code "integer schema"} */
    @Override
    public String toString() {
        return describeKind() + " schema";
    }

    // ---- shared by the other classes of this package for consistent messages ----

    /** The value as a BigInteger if it is an integral JSON number, else null (fractional types never are). */
    static BigInteger integral(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return BigInteger.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger big) {
            return big;
        }
        return null;
    }

    /** The value as a BigDecimal if it is a finite number, else null. */
    static BigDecimal decimal(Object value) {
        BigInteger integral = integral(value);
        if (integral != null) {
            return new BigDecimal(integral);
        }
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? new BigDecimal(value.toString()) : null;
        }
        return null;
    }

    /** How a found value appears in a message: JSON-like, strings quoted, cut to 40 characters. */
    static String describeValue(Object value) {
        String text;
        if (value == null) {
            text = "null";
        } else if (value instanceof String s) {
            text = quote(s);
        } else if (value instanceof JsonObject || value instanceof JsonArray) {
            try {
                text = value instanceof JsonObject o ? o.encode() : ((JsonArray) value).encode();
            } catch (RuntimeException e) {
                text = String.valueOf(value);
            }
        } else {
            text = String.valueOf(value);
        }
        if (text.length() > MAX_FOUND_CHARS) {
            int cut = MAX_FOUND_CHARS - 3;
            if (Character.isHighSurrogate(text.charAt(cut - 1))) {
                cut--;
            }
            text = text.substring(0, cut) + "...";
        }
        return text;
    }

    /** The string in double quotes with JSON escapes, so it never breaks the line. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String where(String path) {
        return path.isEmpty() ? "top level" : "key '" + path + "'";
    }

    private static ConfigException wrongType(String expected, Object found, String path, String source) {
        return new ConfigException(source + ": " + where(path) + ": expected " + expected
                + ", found " + describeValue(found));
    }

    private ConfigException outOfRange(long lo, long hi, boolean below, Object found, String path, String source) {
        String rule;
        if (min != null && max != null) {
            rule = "must be between " + lo + " and " + hi;
        } else if (below) {
            rule = "must be at least " + lo;
        } else {
            rule = "must be at most " + hi;
        }
        return new ConfigException(source + ": " + where(path) + ": " + rule + ", found " + describeValue(found));
    }
}
