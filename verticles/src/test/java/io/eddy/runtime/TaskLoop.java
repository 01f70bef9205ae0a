package io.eddy.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real Vert.x with one event-loop context that plays a task's event loop in the unit tests of the
 * task's parts: the test runs each step on it with {@link #call}/{@link #run} and waits for
 * conditions checked on it with {@link #await}.
 */
final class TaskLoop implements AutoCloseable {
  static final long WAIT_MILLIS = 30_000;
  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();

  <T> T call(Callable<T> action) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(action.call());
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    try {
      return done.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  void run(OperatorTestHost.ThrowingRunnable action) throws Exception {
    call(() -> {
      action.run();
      return null;
    });
  }

  /** Waits for a future started on the loop (by {@code start}) to complete, and returns its result. */
  <T> T join(Callable<Future<T>> start) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        start.call().onComplete(ar -> {
          if (ar.succeeded()) {
            done.complete(ar.result());
          } else {
            done.completeExceptionally(ar.cause());
          }
        });
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Waits until {@code condition} holds, checking on the loop (so after what is queued there). */
  void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!call(condition::getAsBoolean)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + WAIT_MILLIS + " ms: " + what);
      }
      Thread.sleep(5); // polling a condition, not waiting for it to happen by itself
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
