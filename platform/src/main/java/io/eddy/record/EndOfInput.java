package io.eddy.record;

/** The last element of a channel: its sender has finished. */
public enum EndOfInput implements ControlElement {
  INSTANCE
}
