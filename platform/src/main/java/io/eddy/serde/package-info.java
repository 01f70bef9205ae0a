/**
 * Binary serialization of stream records for the network path between tasks and for state snapshots.
 *
 * <p>{@link io.eddy.serde.DataWriter} and {@link io.eddy.serde.DataReader} are the byte-level
 * output and input (one per task, not thread-safe, reused across records).
 * {@link io.eddy.serde.Serde} is the per-type codec contract (stateless, shared across tasks);
 * {@link io.eddy.serde.Serdes} holds the built-ins and composite factories; and
 * {@link io.eddy.serde.SerdeRegistry} maps classes to serdes, deriving serdes for records and enums.
 * Failures are reported as the unchecked {@link io.eddy.serde.SerdeException}.
 */
package io.eddy.serde;
