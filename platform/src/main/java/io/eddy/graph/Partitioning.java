package io.eddy.graph;

/** How records travel along an edge from the subtasks of one vertex to those of the next. */
public enum Partitioning {
  /** Subtask {@code i} to subtask {@code i}; needs equal parallelism, and lets the two chain. */
  FORWARD,
  /** By key group of the record's key, so each key always reaches the same subtask. */
  HASH,
  /** Round robin over all downstream subtasks. */
  REBALANCE,
  /** Every record to every downstream subtask. */
  BROADCAST
}
