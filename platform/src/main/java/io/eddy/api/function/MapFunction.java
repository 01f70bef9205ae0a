package io.eddy.api.function;

/**
 * Transforms one record into exactly one record.
 *
 * <p>Called on the task's event-loop thread, one record at a time; it must not block. An exception
 * fails the job (with this operator's name in the message) unless the job's restart strategy says
 * otherwise. Implement {@link RichFunction} as well to get {@code open}/{@code close} callbacks.
 */
@FunctionalInterface
public interface MapFunction<T, R> extends java.io.Serializable {
  R map(T value) throws Exception;
}
