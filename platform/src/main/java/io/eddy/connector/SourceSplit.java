package io.eddy.connector;

/**
 * A part of a source's input that one reader reads in order from start to end: a file, a Kafka
 * partition, a range of generated events. Its {@link #id} is stable across runs, since checkpoints
 * record a position per split id.
 */
public interface SourceSplit {
  String id();
}
