package io.eddy.runtime;

/**
 * Identifies one subtask of one run (attempt) of a job and names its event-bus addresses: frames
 * arrive on {@link #dataAddress}, credits for its output channels on {@link #creditAddress},
 * commands from the job's coordinator on {@link #controlAddress}. The attempt counts restarts, so
 * a message of a failed attempt can never reach the tasks of the next one.
 */
public record TaskId(String jobId, int attempt, int vertex, int subtask) {
  public TaskId(String jobId, int vertex, int subtask) {
    this(jobId, 0, vertex, subtask);
  }

  /** The same subtask position in another vertex of this run. */
  public TaskId sibling(int otherVertex, int otherSubtask) {
    return new TaskId(jobId, attempt, otherVertex, otherSubtask);
  }

  public String dataAddress() {
    return prefix() + ".data";
  }

  public String creditAddress() {
    return prefix() + ".credit";
  }

  public String controlAddress() {
    return prefix() + ".control";
  }

  /** Where tasks of this run report to their coordinator. */
  public String coordinatorAddress() {
    return coordinatorAddress(jobId, attempt);
  }

  public static String coordinatorAddress(String jobId, int attempt) {
    return "eddy." + jobId + "." + attempt + ".coordinator";
  }

  private String prefix() {
    return "eddy." + jobId + "." + attempt + "." + vertex + "." + subtask;
  }

  @Override
  public String toString() {
    return jobId + "/" + attempt + "/" + vertex + "/" + subtask;
  }
}
