package io.eddy.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's configuration, loaded from a JSON job file and validated against {@link #SCHEMA}:
 * <pre>{@code
 * {
 *   "name": "wordcount",                  // optional, default: the job class's simple name in lower case
 *   "job": "io.eddy.examples.WordCount",  // required: the class implementing the job
 *   "parallelism": 2,                     // optional, default 1, 1..32768
 *   "maxParallelism": 128,                // optional, default 128, parallelism..32768
 *   "frame": { "maxRecords": 1024, ... }, // optional, see FrameSettings
 *   "params": { "input": "in.txt", "n": 10 } // optional, values string, number or boolean
 * }
 * }</pre>
 * Parameter values are kept as strings: numbers as written, integral ones without a trailing {@code .0}
 * ({@code 10}, {@code 10.0} and {@code 1e1} all give {@code "10"}), booleans as {@code "true"}/{@code "false"}.
 *
 * <p>Every problem is a {@link ConfigException} with one line naming the source and, where there is one, the
 * key path: {@code conf/jobs/x.json: cannot read file (NoSuchFileException)},
 * {@code conf/jobs/x.json: not valid JSON: Unexpected character ... (line 3, column 5)},
 * {@code conf/jobs/x.json: key 'frame.maxBytes': expected an integer, found "big"}.
 *
 * <p>Keys beyond the ones read into components are read, with their defaults, by typed accessors
 * ({@link #state()}, {@link #checkpoints()}, {@link #watermarkIntervalMillis()}, ...): a new key is one line in
 * {@link #SCHEMA} and one accessor, and nothing else reads {@link #raw()} for it.
 *
 * <p>Immutable and thread-safe: {@code raw} is copied on the way in and on every {@link #raw()} call. The
 * constructor checks non-null components and the parallelism bounds with {@link IllegalArgumentException};
 * {@link #withParallelism(int)} reports a bad override as a {@link ConfigException}.
 *
 * @param source         where the configuration came from, usually the file path as given; starts messages
 * @param name           the job's name
 * @param jobClass       the fully qualified name of the class implementing the job
 * @param parallelism    how many parallel instances each task runs by default
 * @param maxParallelism the upper bound for rescaling (the number of key groups)
 * @param frame          the frame settings of the exchange
 * @param params         the job's parameters
 * @param raw            the validated JSON, with any overrides applied through the {@code with} methods
 */
public record JobConfig(String source, String name, String jobClass, int parallelism, int maxParallelism,
                        FrameSettings frame, JobParams params, JsonObject raw) {

    /** The highest accepted parallelism and maxParallelism. */
    public static final int PARALLELISM_LIMIT = 32768;
    /** The maxParallelism of a file that does not set it. */
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    /**
     * A job name: it names the job's checkpoint directory, so it may not hold a separator or be {@code .}/{@code ..};
     * it starts with a letter or digit, since names starting with {@code _} are the checkpoint directory's own
     * ({@code _cluster}).
     */
    public static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
    private static final String CLASS_NAME = "[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*";
    private static final Pattern SOURCE_REFERENCE =
            Pattern.compile("at \\[Source: [^\\n]*?line: (\\d+), column: (\\d+)\\]");
    private static final String JACKSON_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
    private static final int MAX_REASON_CHARS = 160;

    /** The schema of a job file; add a key here (one line) and read it from {@link #raw()}. */
    public static final ConfigSchema SCHEMA = ConfigSchema.object()
            .optional("name", ConfigSchema.string().matching(NAME,
                    "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit (the name is a"
                            + " directory of checkpoints)"))
            .required("job", ConfigSchema.string().matching(CLASS_NAME, "a Java class name"))
            .optional("parallelism", ConfigSchema.integer().min(1).max(PARALLELISM_LIMIT))
            .optional("maxParallelism", ConfigSchema.integer().min(1).max(PARALLELISM_LIMIT))
            .optional("frame", FrameSettings.SCHEMA)
            .optional("params", ConfigSchema.openObject())
            .optional("chaining", ConfigSchema.bool())
            .optional("watermarkIntervalMillis", ConfigSchema.integer().min(1))
            .optional("badRecords", ConfigSchema.oneOf("fail", "skip", "deadLetter"))
            .optional("stateBackend", ConfigSchema.oneOf("heap", "rocksdb"))
            .optional("rocksdb", StateSettings.ROCKSDB_SCHEMA)
            .optional("checkpoints", io.eddy.checkpoint.CheckpointSettings.SCHEMA)
            .optional("restartStrategy", RestartStrategy.SCHEMA)
            .optional("scaling", ConfigSchema.object()
                    .optional("mode", ConfigSchema.oneOf("fixed", "adaptive"))
                    .optional("max", ConfigSchema.integer().min(1).max(PARALLELISM_LIMIT)));

    /**
     * Checks non-null components and {@code 1 <= parallelism <= maxParallelism <= 32768}; copies raw.
     *
     * @param source         see the class comment
     * @param name           see the class comment
     * @param jobClass       see the class comment
     * @param parallelism    see the class comment
     * @param maxParallelism see the class comment
     * @param frame          see the class comment
     * @param params         see the class comment
     * @param raw            see the class comment
     */
    public JobConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(jobClass, "jobClass");
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(params, "params");
        raw = Objects.requireNonNull(raw, "raw").copy();
        if (parallelism < 1 || maxParallelism > PARALLELISM_LIMIT || parallelism > maxParallelism) {
            throw new IllegalArgumentException("need 1 <= parallelism <= maxParallelism <= " + PARALLELISM_LIMIT
                    + ", got parallelism " + parallelism + " and maxParallelism " + maxParallelism);
        }
    }

    /** How often, in milliseconds, periodic watermark generators emit, when the file does not say. */
    public static final long DEFAULT_WATERMARK_INTERVAL_MILLIS = 200;

    /** How often periodic watermark generators emit ({@code "watermarkIntervalMillis"}, default 200). */
    public long watermarkIntervalMillis() {
        return raw.getLong("watermarkIntervalMillis", DEFAULT_WATERMARK_INTERVAL_MILLIS);
    }

    /** What a malformed record does ({@code "badRecords"}: fail, skip or deadLetter; default fail). */
    public io.eddy.api.BadRecordPolicy badRecords() {
        return io.eddy.api.BadRecordPolicy.parse(raw.getString("badRecords", "fail"));
    }

    /** Where keyed state lives ({@code "stateBackend"}, {@code "rocksdb"}). */
    public StateSettings state() {
        return StateSettings.of(raw);
    }

    /** The job's checkpoint settings ({@code "checkpoints"}), or null when it takes no checkpoints. */
    public io.eddy.checkpoint.CheckpointSettings checkpoints() {
        return io.eddy.checkpoint.CheckpointSettings.of(raw);
    }

    /** A new restart strategy, with no failures counted yet ({@code "restartStrategy"}, default none). */
    public RestartStrategy restartStrategy() {
        return RestartStrategy.of(raw);
    }

    /** False when the job turned operator chaining off (every operator its own task), as for measuring the exchange. */
    public boolean chaining() {
        return raw.getBoolean("chaining", true);
    }

    /** @return a copy of the validated JSON; changing it does not change this config */
    @Override
    public JsonObject raw() {
        return raw.copy();
    }

    /**
     * Reads and parses a job file (UTF-8; a leading byte order mark is ignored).
     *
     * @param file the job file; its path as given names the source in messages
     * @return the validated configuration
     * @throws ConfigException if the file cannot be read, is not JSON or does not match {@link #SCHEMA}
     */
    public static JobConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            String detail = e.getClass().getSimpleName();
            String message = e.getMessage();
            if (message != null && !message.equals(file.toString()) && !message.isBlank()) {
                detail += ": " + message;
            }
            throw new ConfigException(file + ": cannot read file (" + detail + ")", e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses a job configuration from JSON text.
     *
     * @param json   the text
     * @param source the name for messages and {@link #source()}, usually the file path
     * @return the validated configuration
     * @throws ConfigException if the text is not a JSON object or does not match {@link #SCHEMA}
     */
    public static JobConfig parse(String json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        JsonObject object = decodeObject(json, source);
        SCHEMA.validate(object, source);

        String jobClass = object.getString("job");
        int parallelism = object.getInteger("parallelism", 1);
        boolean maxGiven = object.containsKey("maxParallelism");
        int maxParallelism = object.getInteger("maxParallelism", DEFAULT_MAX_PARALLELISM);
        if (parallelism > maxParallelism) {
            throw new ConfigException(maxGiven
                    ? source + ": key 'maxParallelism': " + maxParallelism + " is less than parallelism " + parallelism
                    : source + ": key 'parallelism': " + parallelism + " exceeds the default maxParallelism "
                    + DEFAULT_MAX_PARALLELISM + "; set maxParallelism to at least " + parallelism);
        }
        return new JobConfig(source, object.getString("name", defaultName(jobClass)), jobClass, parallelism,
                maxParallelism, FrameSettings.fromValidated(object.getJsonObject("frame")),
                paramsOf(object.getJsonObject("params")), object);
    }

    /**
     * @param newParallelism the parallelism to use instead, e.g. from the command line
     * @return a copy with that parallelism (also in {@link #raw()})
     * @throws ConfigException naming the source if it is below 1 or above {@link #maxParallelism()}
     */
    public JobConfig withParallelism(int newParallelism) {
        if (newParallelism < 1 || newParallelism > maxParallelism) {
            throw new ConfigException(source + ": parallelism " + newParallelism + " is out of range: must be between 1"
                    + " and maxParallelism " + maxParallelism);
        }
        return new JobConfig(source, name, jobClass, newParallelism, maxParallelism, frame, params,
                raw.copy().put("parallelism", newParallelism));
    }

    /**
     * @param newParams the parameters to use instead, e.g. {@code params().withOverrides(cliParams)}
     * @return a copy with those parameters (also in {@link #raw()})
     */
    public JobConfig withParams(JobParams newParams) {
        Objects.requireNonNull(newParams, "newParams");
        return new JobConfig(source, name, jobClass, parallelism, maxParallelism, frame, newParams,
                raw.copy().put("params", new JsonObject(new LinkedHashMap<>(newParams.asMap()))));
    }

    private static JsonObject decodeObject(String json, String source) {
        String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
        if (text.isBlank()) {
            throw new ConfigException(source + ": not valid JSON: the file is empty");
        }
        Object value;
        try {
            value = Json.decodeValue(text);
        } catch (DecodeException e) {
            throw new ConfigException(source + ": not valid JSON: " + reason(e.getMessage()), e);
        }
        if (!(value instanceof JsonObject object)) {
            throw new ConfigException(source + ": top level: expected a JSON object, found "
                    + ConfigSchema.describeValue(value));
        }
        return object;
    }

    /**
     * The first line of a decoder message with Jackson's source references shortened to "at line L, column C",
     * followed by the position of the error (Jackson's last reference) if the message gives one.
     */
    private static String reason(String message) {
        if (message == null || message.isBlank()) {
            return "cannot be decoded";
        }
        String first = message.strip().lines().findFirst().orElse("").strip();
        first = SOURCE_REFERENCE.matcher(first).replaceAll("at line $1, column $2");
        first = first.replace("expected a valid value " + JACKSON_VALUES, "expected a JSON value")
                .replace(JACKSON_VALUES, "a JSON value");
        if (first.length() > MAX_REASON_CHARS) {
            first = first.substring(0, MAX_REASON_CHARS - 3) + "...";
        }
        Matcher m = SOURCE_REFERENCE.matcher(message);
        String position = null;
        while (m.find()) {
            position = " (line " + m.group(1) + ", column " + m.group(2) + ")";
        }
        return position == null ? first : first + position;
    }

    /** The class's simple name in lower case, with any character a {@link #NAME} refuses replaced by '_'. */
    private static String defaultName(String jobClass) {
        String simple = jobClass.substring(Math.max(jobClass.lastIndexOf('.'), jobClass.lastIndexOf('$')) + 1);
        String name = (simple.isEmpty() ? jobClass : simple).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
        if (!Character.isLetterOrDigit(name.charAt(0))) {
            name = "job" + name; // names starting with '_' or '.' are the checkpoint directory's own
        }
        return name.length() > 128 ? name.substring(0, 128) : name;
    }

    private static JobParams paramsOf(JsonObject params) {
        if (params == null) {
            return JobParams.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : params.fieldNames()) {
            Object value = params.getValue(key);
            BigDecimal number = ConfigSchema.decimal(value);
            values.put(key, number != null ? plain(number) : String.valueOf(value));
        }
        return JobParams.of(values);
    }

    private static String plain(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        return stripped.signum() == 0 ? "0" : stripped.toPlainString();
    }
}
