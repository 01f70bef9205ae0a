package io.eddy.api;

/**
 * A record of one of two connected streams on its way to a two-input function: connected,
 * joined and broadcast streams travel as one tagged stream, so they share one exchange and one
 * watermark (the minimum of both inputs).
 */
public record TwoInputElement(boolean first, Object value) {}
