package io.eddy.graph;

/**
 * The type of an edge, a key or a side output of a job could not be determined, so the plan cannot say which
 * classes the job carries (as Flink's {@code InvalidTypesException}). The message names the operator, its function
 * and the fix ({@code .returns(Word.class)}, a typed {@code OutputTag}, a method reference or a function class).
 */
public final class InvalidTypesException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidTypesException(String message) {
    super(message);
  }
}
