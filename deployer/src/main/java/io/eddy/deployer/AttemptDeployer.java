package io.eddy.deployer;

import io.eddy.graph.JobDefinition;
import io.eddy.runtime.TaskId;
import io.eddy.runtime.control.TaskCommand;
import io.eddy.runtime.control.TaskMessage;
import io.eddy.runtime.control.TaskReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Puts one job's attempts on the cluster and takes them off: finds slots for the next attempt (waiting while too few
 * are free), deploys its tasks with the consumer of their reports, and stops an attempt (cancels its tasks, keeps
 * their counters, undeploys them). It decides nothing: when to deploy, restart or stop is the
 * {@link JobCoordinator}'s.
 *
 * <p>Confined to the job coordinator's context (an event loop): every method is called there and every callback
 * runs there. Nothing blocks; {@link TaskHosts} does the placing and deploying.
 */
final class AttemptDeployer {
  private static final long CANCEL_WAIT_MILLIS = 2000;
  private static final long SLOT_RETRY_MILLIS = 500;

  private final Vertx vertx;
  private final String jobId;
  private final TaskHosts hosts;
  private final JobCounters counters;
  private SlotAssignment slots; // of the attempt placed last
  private Attempt deployed; // the attempt deployed last, or null
  private MessageConsumer<TaskReport> reports; // of the attempt deployed last
  private String reason; // why placing waits, or null

  /** @param counters where a stopped task's final counters go */
  AttemptDeployer(Vertx vertx, String jobId, TaskHosts hosts, JobCounters counters) {
    this.vertx = vertx;
    this.jobId = jobId;
    this.hosts = hosts;
    this.counters = counters;
  }

  /** @return the slots of the attempt placed last, or null before the first */
  SlotAssignment slots() {
    return slots;
  }

  /** @return why placing the next attempt waits (too few free slots), or null */
  String reason() {
    return reason;
  }

  /**
   * Finds slots for {@code wanted}: at its parallelism if that many are free, else at least {@code minimum}. While
   * too few are free it asks again every {@value #SLOT_RETRY_MILLIS} ms, telling {@code waiting} each time the reason
   * changes; it gives up (releasing any slots it got) once {@code abandoned} holds. Then calls {@code placed}.
   */
  void place(JobDefinition wanted, int minimum, BooleanSupplier abandoned, Consumer<String> waiting,
      Consumer<SlotAssignment> placed) {
    if (abandoned.getAsBoolean()) {
      return;
    }
    hosts.assign(jobId, wanted, minimum).onComplete(ar -> {
      if (abandoned.getAsBoolean()) {
        if (ar.succeeded()) {
          hosts.release(jobId);
        }
        return;
      }
      if (ar.failed()) {
        String why = ar.cause().getMessage() == null ? ar.cause().toString() : ar.cause().getMessage();
        if (!why.equals(reason)) {
          reason = why;
          waiting.accept(why);
        }
        vertx.setTimer(SLOT_RETRY_MILLIS, t -> place(wanted, minimum, abandoned, waiting, placed));
        return;
      }
      reason = null;
      slots = ar.result();
      placed.accept(slots);
    });
  }

  /**
   * Deploys {@code attempt}'s tasks on the slots placed last, restoring {@code restore} (null: afresh), once the
   * consumer of their reports listens, so no report is lost.
   *
   * @param onReport gets every report the attempt's tasks send
   * @return completes once every task is deployed (none runs before it is told to)
   */
  Future<Void> deploy(JobDefinition job, Attempt attempt, JsonObject restore, Consumer<TaskReport> onReport) {
    deployed = attempt;
    TaskMessage.registerCodecOn(vertx.eventBus());
    reports = vertx.eventBus().<TaskReport>consumer(TaskId.coordinatorAddress(jobId, attempt.number()),
        m -> onReport.accept(m.body()));
    return reports.completion().compose(v -> hosts.deploy(job, slots, attempt.tasks(), restore)).mapEmpty();
  }

  /**
   * Stops attempt {@code number}: cancels its tasks on nodes still alive (each answers with its counters, which go to
   * the job's counters), waits for them, then undeploys them and stops listening to their reports. A task that does
   * not answer (its node is gone) counts with its last checkpoint's counters. Never fails.
   */
  Future<Void> stop(int number) {
    List<Future<?>> canceled = new ArrayList<>();
    DeliveryOptions wait = TaskMessage.request(CANCEL_WAIT_MILLIS);
    TaskCommand.Cancel cancel = new TaskCommand.Cancel();
    if (deployed != null && deployed.number() == number && slots != null) {
      for (TaskId task : deployed.tasks()) {
        if (hosts.isAlive(slots.nodeOf(task))) { // a departed node's tasks died with it
          canceled.add(vertx.eventBus().<TaskReport.Canceled>request(task.controlAddress(), cancel, wait)
              .onSuccess(reply -> counters.ended(reply.body().vertex(), reply.body().subtask(),
                  reply.body().counters())));
        }
      }
    }
    MessageConsumer<TaskReport> oldReports = reports;
    return Future.join(canceled).transform(ignored -> {
      counters.attemptStopped();
      List<Future<?>> undeployed = new ArrayList<>();
      if (number >= 0) {
        undeployed.add(hosts.undeploy(jobId, number));
      }
      if (oldReports != null) {
        undeployed.add(oldReports.unregister());
      }
      return Future.join(undeployed).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }
}
