package io.eddy.serde;

/**
 * Marker for serdes that accept and round-trip {@code null} themselves, so callers
 * (such as record serdes) need not wrap them with {@link Serdes#nullable(Serde)}.
 */
interface NullSafe {
}
