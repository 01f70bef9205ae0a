package io.eddy.runtime;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks running in this JVM, by id, so that metrics (REST, tests) can be read while they run.
 * A task adds itself when it starts and removes itself when it stops.
 */
public final class LiveTasks {
  private static final Map<TaskId, TaskVerticle> TASKS = new ConcurrentHashMap<>();

  private LiveTasks() {}

  static void add(TaskVerticle task) {
    TASKS.put(task.id(), task);
  }

  static void remove(TaskVerticle task) {
    TASKS.remove(task.id(), task);
  }

  public static Collection<TaskVerticle> all() {
    return TASKS.values();
  }

  public static TaskVerticle get(TaskId id) {
    return TASKS.get(id);
  }
}
