package io.eddy.runtime;

/** A user function (or a key selector) threw; the message names the operator and subtask. */
public final class OperatorException extends RuntimeException {
  public OperatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
