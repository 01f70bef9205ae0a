package io.eddy.runtime;

/**
 * Identifies one subtask of one job and names its event-bus addresses: frames arrive on
 * {@link #dataAddress}, credits for its output channels on {@link #creditAddress}, commands from
 * the job's coordinator on {@link #controlAddress}.
 */
public record TaskId(String jobId, int vertex, int subtask) {
  public String dataAddress() {
    return prefix() + ".data";
  }

  public String creditAddress() {
    return prefix() + ".credit";
  }

  public String controlAddress() {
    return prefix() + ".control";
  }

  /** Where tasks of the job report to their coordinator. */
  public static String coordinatorAddress(String jobId) {
    return "eddy." + jobId + ".coordinator";
  }

  private String prefix() {
    return "eddy." + jobId + "." + vertex + "." + subtask;
  }

  @Override
  public String toString() {
    return jobId + "/" + vertex + "/" + subtask;
  }
}
