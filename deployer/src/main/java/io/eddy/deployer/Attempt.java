package io.eddy.deployer;

import io.eddy.graph.ExecutionPlan;
import io.eddy.graph.JobVertex;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * One attempt of a job: its number and the plan its subtasks run, which name their control addresses. Immutable.
 *
 * @param number 0 for a job's first attempt, one more for each redeployment
 */
record Attempt(String jobId, int number, ExecutionPlan plan) {
  /** The id of subtask {@code subtask} of vertex {@code vertex} in this attempt. */
  TaskId task(int vertex, int subtask) {
    return new TaskId(jobId, number, vertex, subtask);
  }

  /** Every subtask of the attempt, vertex by vertex. */
  List<TaskId> tasks() {
    List<TaskId> all = new ArrayList<>();
    for (JobVertex v : plan.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        all.add(task(v.id(), i));
      }
    }
    return all;
  }

  /** Sends {@code command} to one subtask's control address. */
  void send(Vertx vertx, TaskId task, TaskCommand command) {
    vertx.eventBus().send(task.controlAddress(), command, TaskMessage.DELIVERY);
  }

  /** Sends {@code command} to every subtask of the attempt. */
  void sendToAll(Vertx vertx, TaskCommand command) {
    for (TaskId t : tasks()) {
      send(vertx, t, command);
    }
  }
}
