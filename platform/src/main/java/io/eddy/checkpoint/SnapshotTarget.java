package io.eddy.checkpoint;

import java.nio.file.Path;

/**
 * Where one task writes its part of one checkpoint. {@link #directory()} is private to this task
 * and checkpoint (created, empty, writable); {@link #sharedDirectory()} holds files that several
 * checkpoints of the job reference (incremental snapshots): a file there is never modified once
 * written, and its name must be unique within the job (prefix it with the task's identity).
 */
public interface SnapshotTarget {
  long checkpointId();

  Path directory();

  Path sharedDirectory();
}
