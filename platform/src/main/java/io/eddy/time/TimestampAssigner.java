package io.eddy.time;

/**
 * Gives a record its event time (milliseconds since the epoch). {@code recordTimestamp} is the
 * timestamp the record already carries ({@link Long#MIN_VALUE} if none). Called on the task's
 * event-loop thread for every record; must not block. A negative result, or one the job's
 * bad-record policy deems absurd, is treated as a bad record.
 */
@FunctionalInterface
public interface TimestampAssigner<T> extends java.io.Serializable {
  long extractTimestamp(T record, long recordTimestamp) throws Exception;
}
