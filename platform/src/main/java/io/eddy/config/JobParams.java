package io.eddy.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A job's parameters: string keys to string values, in the order they were given, from the {@code "params"}
 * object of the job file and any {@code --param key=value} overrides on the command line.
 *
 * <p>Immutable and thread-safe; {@link #withOverrides(Map)} returns a new instance. Keys and values are never
 * null. The typed getters parse strictly (no trimming) and throw {@link ConfigException} with a one-line
 * message naming the parameter and the bad value, e.g. {@code job parameter 'events': expected an integer,
 * found "abc"}; {@link #require(String)} throws {@code job parameter 'input' is required}.
 */
public final class JobParams {

    private static final JobParams EMPTY = new JobParams(Collections.emptyMap(), PathPolicy.unrestricted());
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private final Map<String, String> values;
    private final PathPolicy paths;

    private JobParams(Map<String, String> values, PathPolicy paths) {
        this.values = values;
        this.paths = paths;
    }

    /** @return parameters with no entries */
    public static JobParams empty() {
        return EMPTY;
    }

    /**
     * Creates parameters from a map.
     *
     * @param values the parameters; copied, in the map's iteration order
     * @return the parameters
     * @throws NullPointerException if the map, a key or a value is null
     */
    public static JobParams of(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "null job parameter name"),
                Objects.requireNonNull(v, () -> "job parameter '" + k + "' has a null value")));
        return new JobParams(Collections.unmodifiableMap(copy), PathPolicy.unrestricted());
    }

    /**
     * @param key the parameter name
     * @return the value, or null if the parameter is absent
     */
    public String get(String key) {
        return values.get(key);
    }

    /**
     * @param key the parameter name
     * @param def the value to return if the parameter is absent
     * @return the value, or {@code def} if the parameter is absent
     */
    public String get(String key, String def) {
        return values.getOrDefault(key, def);
    }

    /**
     * @param key the parameter name
     * @return the value
     * @throws ConfigException {@code job parameter 'KEY' is required} if the parameter is absent
     */
    public String require(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new ConfigException("job parameter '" + key + "' is required");
        }
        return value;
    }

    /**
     * @param key the parameter name
     * @param def the value to return if the parameter is absent
     * @return the value as a 32-bit integer (decimal, optional sign), or {@code def} if absent
     * @throws ConfigException if present but not such an integer
     */
    public int getInt(String key, int def) {
        long value = getLong(key, def);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw bad(key, "an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /**
     * @param key the parameter name
     * @param def the value to return if the parameter is absent
     * @return the value as a 64-bit integer (decimal, optional sign), or {@code def} if absent
     * @throws ConfigException if present but not such an integer
     */
    public long getLong(String key, long def) {
        String value = values.get(key);
        if (value == null) {
            return def;
        }
        if (!INTEGER.matcher(value).matches()) {
            throw bad(key, "an integer");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(key, "an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
        }
    }

    /**
     * @param key the parameter name
     * @param def the value to return if the parameter is absent
     * @return the value as a finite decimal number (e.g. {@code 2}, {@code -0.5}, {@code 1e3}), or {@code def}
     *         if absent
     * @throws ConfigException if present but not such a number ({@code NaN} and {@code Infinity} included)
     */
    public double getDouble(String key, double def) {
        String value = values.get(key);
        if (value == null) {
            return def;
        }
        double parsed = DECIMAL.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
        if (!Double.isFinite(parsed)) {
            throw bad(key, "a number");
        }
        return parsed;
    }

    /**
     * @param key the parameter name
     * @param def the value to return if the parameter is absent
     * @return true for {@code "true"}, false for {@code "false"} (either in any case), or {@code def} if absent
     * @throws ConfigException if present but neither
     */
    public boolean getBoolean(String key, boolean def) {
        String value = values.get(key);
        if (value == null) {
            return def;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, "true or false");
        };
    }

    /** @return an unmodifiable view of all parameters, in order */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * @param overrides parameters to add or replace; a replaced parameter keeps its position, new ones follow
     * @return new parameters with the overrides applied; this instance is unchanged
     * @throws NullPointerException if the map, a key or a value is null
     */
    public JobParams withOverrides(Map<String, String> overrides) {
        Objects.requireNonNull(overrides, "overrides");
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return of(merged).withPathPolicy(paths);
    }

    /**
     * @param policy where path parameters may point: a cluster node's roots; a local run leaves it unrestricted
     * @return the same parameters whose {@link #requirePath}/{@link #getPath} check paths against {@code policy}
     */
    public JobParams withPathPolicy(PathPolicy policy) {
        return new JobParams(values, Objects.requireNonNull(policy, "policy"));
    }

    /** @return where path parameters may point */
    public PathPolicy pathPolicy() {
        return paths;
    }

    /**
     * A parameter naming a file or directory, checked against the path policy: every connector path a job reads from
     * its parameters goes through here, so that on a cluster an input or output cannot leave the node's roots.
     *
     * @param key the parameter name
     * @return the value as given when unrestricted, else the absolute, normalized path
     * @throws ConfigException {@code job parameter 'KEY' is required}, or naming the parameter and the path if it lies
     *                         outside the roots
     */
    public String requirePath(String key) {
        return checked(key, require(key));
    }

    /**
     * @param key the parameter name
     * @param def the path to use if the parameter is absent (checked too), or null
     * @return as {@link #requirePath}, or null if absent and {@code def} is null
     */
    public String getPath(String key, String def) {
        String value = values.getOrDefault(key, def);
        return value == null ? null : checked(key, value);
    }

    private String checked(String key, String value) {
        if (paths.roots().isEmpty()) {
            return value;
        }
        return paths.resolve("job parameter '" + key + "'", value).toString();
    }

    /**
     * Parses the argument of a command-line {@code --param key=value}: the key is everything before the first
     * {@code '='}, the value everything after it (it may contain {@code '='} and may be empty).
     *
     * @param arg the text after {@code --param}
     * @return the key and the value
     * @throws ConfigException {@code bad --param 'ARG': expected key=value} if there is no {@code '='} or the
     *                         key is empty or blank
     */
    public static Map.Entry<String, String> parseAssignment(String arg) {
        Objects.requireNonNull(arg, "arg");
        int eq = arg.indexOf('=');
        if (eq < 0 || arg.substring(0, eq).isBlank()) {
            throw new ConfigException("bad --param " + quoteSingle(arg) + ": expected key=value");
        }
        return Map.entry(arg.substring(0, eq), arg.substring(eq + 1));
    }

    private ConfigException bad(String key, String expected) {
        return new ConfigException("job parameter '" + key + "': expected " + expected
                + ", found " + ConfigSchema.describeValue(values.get(key)));
    }

    private static String quoteSingle(String arg) {
        String quoted = ConfigSchema.quote(arg);
        return "'" + quoted.substring(1, quoted.length() - 1) + "'";
    }

    /** @return true if {@code o} is a JobParams with the same entries (order is not compared) */
    @Override
    public boolean equals(Object o) {
        return o instanceof JobParams other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** @return the parameters as {@code {key=value, ...}} */
    @Override
    public String toString() {
        return values.toString();
    }
}
