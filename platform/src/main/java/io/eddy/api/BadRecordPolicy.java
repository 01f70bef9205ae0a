package io.eddy.api;

/**
 * What an operator does with a record it cannot process (a timestamp assigner that throws or
 * gives a negative time): fail the job, skip it and count it in the metric {@code badRecords}, or
 * count it and send it to the side output {@link OutputTag#BAD_RECORDS}. Set per job with the key
 * {@code badRecords} ({@code "fail"}, {@code "skip"}, {@code "deadLetter"}); the default is fail.
 */
public enum BadRecordPolicy {
  FAIL, SKIP, DEAD_LETTER;

  public static BadRecordPolicy parse(String s) {
    return switch (s) {
      case "fail" -> FAIL;
      case "skip" -> SKIP;
      case "deadLetter" -> DEAD_LETTER;
      default -> throw new IllegalArgumentException("unknown bad-record policy '" + s + "'");
    };
  }
}
