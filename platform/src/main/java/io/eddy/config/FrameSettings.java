package io.eddy.config;

import io.vertx.core.json.JsonObject;

/**
 * How records are batched into frames on the exchange between tasks, and how many frames may be in flight.
 *
 * <p>In a job file these are the keys of the optional {@code "frame"} object, each optional:
 * <pre>{@code "frame": { "maxRecords": 1024, "maxBytes": 32768, "flushMillis": 5, "credits": 16, "serializeLocal": false }}</pre>
 * A missing key takes its value from {@link #DEFAULTS}.
 *
 * <p>Immutable and thread-safe. The constructor rejects values outside the ranges that {@link #SCHEMA}
 * enforces on files with {@link IllegalArgumentException}: files are checked by the schema first and get a
 * {@link ConfigException} naming the file and key instead.
 *
 * @param maxRecords     a frame is sent when it holds this many records or {@code maxBytes}, whichever is
 *                       reached first; at least 1
 * @param maxBytes       a frame is sent when its serialized records reach this many bytes or it holds
 *                       {@code maxRecords}, whichever is reached first; at least 16
 * @param flushMillis    a partial frame is sent at the latest this many milliseconds after its first record;
 *                       0 means a frame is sent at once, without waiting for more records; at least 0
 * @param credits        how many frames a receiver grants each channel, which is the bound on frames in flight
 *                       per channel; 1 to 1024
 * @param serializeLocal force the serialized exchange even between tasks in one JVM, so that tests running a
 *                       job in one process exercise the same path as a cluster
 */
public record FrameSettings(int maxRecords, int maxBytes, long flushMillis, int credits, boolean serializeLocal) {

    static final int MIN_MAX_BYTES = 16;
    static final int MAX_CREDITS = 1024;

    /** maxRecords 1024, maxBytes 32768, flushMillis 5, credits 16, serializeLocal false. */
    public static final FrameSettings DEFAULTS = new FrameSettings(1024, 32768, 5, 16, false);

    /** The schema of the {@code "frame"} object; reusable by any file that carries frame settings. */
    public static final ConfigSchema SCHEMA = ConfigSchema.object()
            .optional("maxRecords", ConfigSchema.integer().min(1))
            .optional("maxBytes", ConfigSchema.integer().min(MIN_MAX_BYTES))
            .optional("flushMillis", ConfigSchema.integer().min(0))
            .optional("credits", ConfigSchema.integer().min(1).max(MAX_CREDITS))
            .optional("serializeLocal", ConfigSchema.bool());

    /**
     * Checks the ranges given in the class comment.
     *
     * @param maxRecords     see the class comment
     * @param maxBytes       see the class comment
     * @param flushMillis    see the class comment
     * @param credits        see the class comment
     * @param serializeLocal see the class comment
     */
    public FrameSettings {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
        }
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_MAX_BYTES + ", was " + maxBytes);
        }
        if (flushMillis < 0) {
            throw new IllegalArgumentException("flushMillis must be at least 0, was " + flushMillis);
        }
        if (credits < 1 || credits > MAX_CREDITS) {
            throw new IllegalArgumentException("credits must be between 1 and " + MAX_CREDITS + ", was " + credits);
        }
    }

    /**
     * Reads settings from a {@code "frame"} object that has already passed {@link #SCHEMA}; missing keys take
     * the value of {@link #DEFAULTS}, and a null object gives {@link #DEFAULTS}.
     */
    static FrameSettings fromValidated(JsonObject frame) {
        if (frame == null) {
            return DEFAULTS;
        }
        return new FrameSettings(
                frame.getInteger("maxRecords", DEFAULTS.maxRecords()),
                frame.getInteger("maxBytes", DEFAULTS.maxBytes()),
                frame.getLong("flushMillis", DEFAULTS.flushMillis()),
                frame.getInteger("credits", DEFAULTS.credits()),
                frame.getBoolean("serializeLocal", DEFAULTS.serializeLocal()));
    }
}
