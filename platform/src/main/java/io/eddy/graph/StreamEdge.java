package io.eddy.graph;

import io.eddy.api.function.KeySelector;

/**
 * An input of a {@link Transform}: where its records come from and how they are partitioned. The
 * key selector is set exactly when the partitioning is {@link Partitioning#HASH}. {@code sideTag}
 * is the id of the source's side output the records come from, or null for its main output. {@code keyType}
 * is the class of the keys (null without a key, or when it could not be determined).
 */
public record StreamEdge(
    Transform source, Partitioning partitioning, KeySelector<?, ?> key, String sideTag, java.lang.reflect.Type keyType) {
  public StreamEdge(Transform source, Partitioning partitioning, KeySelector<?, ?> key) {
    this(source, partitioning, key, null, null);
  }

  public StreamEdge(Transform source, Partitioning partitioning, KeySelector<?, ?> key, String sideTag) {
    this(source, partitioning, key, sideTag, null);
  }
}
