package io.eddy.graph;

import io.eddy.api.function.KeySelector;

/**
 * An input of a {@link Transform}: where its records come from and how they are partitioned. The
 * key selector is set exactly when the partitioning is {@link Partitioning#HASH}.
 */
public record StreamEdge(Transform source, Partitioning partitioning, KeySelector<?, ?> key) {}
