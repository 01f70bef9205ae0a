package io.eddy.api;

/**
 * A record the job could not process, as sent to {@link OutputTag#BAD_RECORDS} under the
 * dead-letter policy: the operator that rejected it, the record as text, and why.
 */
public record BadRecord(String operator, String record, String reason) {}
