package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.vertx.core.json.JsonObject;

/**
 * One job of the leader's {@link JobRegistry}: as submitted, its coordinator and how it ended, and what was last
 * published of it. Confined to the deployer's context, except {@link #published} and {@link #details}, which the
 * job's meters read on any thread.
 */
final class RegisteredJob {
  final String id;
  final JobDefinition submitted;
  final String restoreFrom;
  long submittedAt = System.currentTimeMillis(); // epoch millis; a job carried on keeps its first
  long endedAt; // epoch millis, 0 while it runs
  volatile JsonObject published; // as last written to the map; read by the job's meters on any thread
  volatile JsonObject details; // as last written to the details map
  JobMeters meters;
  JobCoordinator coordinator;
  JobResult result;
  String failure; // a run that could not start
  JsonObject endedBefore; // as a former leader published it, for a job that had ended then
  /** Completes once the job's end is in the cluster map: a request that ends the job answers after it. */
  final io.vertx.core.Promise<Void> endPublished = io.vertx.core.Promise.promise();

  RegisteredJob(String id, JobDefinition submitted, String restoreFrom) {
    this.id = id;
    this.submitted = submitted;
    this.restoreFrom = restoreFrom;
  }
}
