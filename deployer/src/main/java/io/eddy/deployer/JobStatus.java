package io.eddy.deployer;

/** Where a job is in its life, as the REST API and the CLI report it. */
public enum JobStatus {
  CREATED, RUNNING, RESTARTING, FINISHED, FAILED, CANCELED
}
