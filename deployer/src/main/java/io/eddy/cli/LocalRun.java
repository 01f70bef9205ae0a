package io.eddy.cli;

import io.eddy.deployer.JobCoordinator;
import io.eddy.deployer.JobResult;
import io.eddy.graph.JobDefinition;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Runs one job to its end on a Vert.x instance of this JVM, blocking the calling (main) thread. */
final class LocalRun {
  private LocalRun() {}

  static JobResult run(JobDefinition job) throws InterruptedException {
    return run(job, null);
  }

  /** @param restoreFrom null, "latest", or a checkpoint directory */
  static JobResult run(JobDefinition job, String restoreFrom) throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<JobResult> done = new CompletableFuture<>();
      JobCoordinator coordinator = new JobCoordinator(vertx, job, restoreFrom);
      coordinator.run().onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete(ar.result());
        } else {
          done.completeExceptionally(ar.cause());
        }
      });
      try (RunProgress progress = RunProgress.onTerminal(coordinator.jobId())) {
        return done.get();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(c);
      }
    } finally {
      vertx.close().await();
    }
  }
}
