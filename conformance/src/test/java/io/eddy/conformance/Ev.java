package io.eddy.conformance;

/** A test event of both engines: a key, a value and its event time (ms). */
public record Ev(int key, long value, long ts) implements java.io.Serializable {}
