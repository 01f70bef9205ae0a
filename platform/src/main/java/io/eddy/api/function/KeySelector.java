package io.eddy.api.function;

/**
 * Extracts the key of a record. It must be deterministic: the same record always yields an equal
 * key with the same {@code hashCode()} on every node (so no identity hash codes and no enums'
 * {@code hashCode}: use their names or ordinals), because the key decides the key group and so
 * the subtask that owns the record's state.
 */
@FunctionalInterface
public interface KeySelector<T, K> extends java.io.Serializable {
  K getKey(T value) throws Exception;
}
