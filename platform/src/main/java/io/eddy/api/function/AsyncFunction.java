package io.eddy.api.function;

import io.vertx.core.Future;

/**
 * Starts an asynchronous request for one record (a lookup in a database, a call to a web service)
 * and returns a Vert.x {@link Future} of its result; applied with
 * {@link io.eddy.api.DataStream#asyncMap}.
 *
 * <p>Threading: {@link #asyncInvoke} is called on the task's own event-loop thread, one record at
 * a time, and must not block: start the request and return. The Vert.x clients (web client, SQL
 * clients, Redis) work as they do in any verticle: create them in {@link RichFunction#open} from
 * {@link RuntimeContext#vertx()}, call them here, and their futures complete on this same event
 * loop. A future completed on another thread is handed back to the task's event loop before its
 * result is used.
 *
 * <p>Results: a future completed with a value emits that value, with the input record's
 * timestamp; a future completed with {@code null} emits nothing (a lookup that found nothing). For
 * several results per record, return a collection and {@code flatMap} it afterwards. A failed
 * future, an exception thrown here, or a null future fails the task, naming the record (the job's
 * restart strategy then retries from the last checkpoint, which re-issues the request); to handle
 * a failure per record instead, recover inside the function ({@code future.otherwise(...)}). A
 * request that does not complete within the operator's timeout follows the job's
 * {@link io.eddy.api.BadRecordPolicy}.
 *
 * <p>After a restore from a checkpoint the requests that were in flight at the barrier are issued
 * again, so a request may be made more than once (its result is emitted once): requests should be
 * idempotent, as reads are.
 */
@FunctionalInterface
public interface AsyncFunction<IN, OUT> extends java.io.Serializable {
  Future<OUT> asyncInvoke(IN input) throws Exception;
}
