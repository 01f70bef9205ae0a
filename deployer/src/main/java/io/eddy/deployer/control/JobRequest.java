package io.eddy.deployer.control;

/**
 * A change to the cluster's jobs, sent to the leader's job registry. The registry replies with the JSON the REST API
 * answers with, or fails the request with the HTTP status as its code (400 a bad request, 404 an unknown job, 409 a
 * request the job's state refuses).
 */
public sealed interface JobRequest extends DeployerMessage {
  /**
   * Run a job.
   *
   * @param jobJson       the job's JSON as the client posted it
   * @param fromSavepoint a savepoint or checkpoint directory to start from, or null
   */
  record Submit(String jobJson, String fromSavepoint) implements JobRequest {
  }

  /** Cancel the job {@code jobId}. */
  record Cancel(String jobId) implements JobRequest {
  }

  /**
   * Take a savepoint of the job {@code jobId}.
   *
   * @param directory where, or null for the job's savepoint directory
   * @param stop      cancel the job once it is taken
   */
  record TakeSavepoint(String jobId, String directory, boolean stop) implements JobRequest {
  }

  /** Run the job {@code jobId} at {@code parallelism} (from a stopping checkpoint). */
  record Rescale(String jobId, int parallelism) implements JobRequest {
  }

  /** Move every task off the node {@code nodeId}, which is about to leave; answered once none runs there. */
  record Drain(String nodeId) implements JobRequest {
  }
}
