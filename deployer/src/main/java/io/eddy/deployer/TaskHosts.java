package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.TaskVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where a {@link JobCoordinator} runs the {@link TaskVerticle}s of its attempts: in this JVM ({@link LocalTaskHosts})
 * or on the slots of the cluster's nodes ({@link ClusterTaskHosts}).
 *
 * <p>Contract: every method is called on the coordinator's context and must not block it. {@link #assign} is called
 * before each attempt; {@link #deploy} once per attempt with that assignment; {@link #undeploy} when the attempt is
 * over (a failure, a rescale, the end), even if some of its nodes are gone; {@link #release} when the job is over.
 */
public interface TaskHosts {
  /**
   * Picks the slots of the next attempt.
   *
   * @param jobId    the job
   * @param job      the job's definition; its parallelism is the one wanted
   * @param minimum  the lowest parallelism acceptable (the wanted one for a first start, 1 for a failover)
   * @return the slots, or a failed future with {@link NotEnoughSlotsException} when fewer than {@code minimum} are free
   */
  Future<SlotAssignment> assign(String jobId, JobDefinition job, int minimum);

  /**
   * Deploys the given tasks of one attempt where {@code slots} says, each restoring from {@code restore}.
   *
   * @return completes once every task has started (its consumers registered cluster-wide, its state restored)
   */
  Future<Void> deploy(JobDefinition job, SlotAssignment slots, List<TaskId> tasks, JsonObject restore);

  /** Stops and undeploys every task of the job's attempts up to {@code attempt}, wherever they still run. */
  Future<Void> undeploy(String jobId, int attempt);

  /** @return whether the node still hosts tasks (false once it has left the cluster) */
  boolean isAlive(String node);

  /** The job is over: its slots are free again. */
  void release(String jobId);

  /** Thrown (as a failed future) by {@link #assign} when the cluster has fewer free slots than needed. */
  final class NotEnoughSlotsException extends RuntimeException {
    public NotEnoughSlotsException(String message) {
      super(message, null, false, false);
    }
  }
}
