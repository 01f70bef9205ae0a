package io.eddy.serde;

/**
 * Writes values of type {@code T} to a {@link DataWriter} and reads them back from a {@link DataReader}.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li><b>Stateless and thread-safe.</b> One instance is shared by every task of a job, concurrently.</li>
 *   <li><b>No retention.</b> The writer and reader passed in belong to the caller for the duration of
 *       the call only; an implementation must not keep them.</li>
 *   <li><b>Self-delimiting.</b> {@link #read} consumes exactly the bytes {@link #write} produced, so
 *       values can be written back to back into one writer and read back in order.</li>
 *   <li><b>Null only where documented.</b> A serde that does not document null support may throw
 *       {@link NullPointerException} on a null value. Wrap it with {@link Serdes#nullable(Serde)} to
 *       allow nulls.</li>
 *   <li><b>Errors.</b> Malformed or truncated input is reported as {@link SerdeException}.</li>
 * </ul>
 *
 * @param <T> the value type
 */
public interface Serde<T> {

    /** Appends {@code value} to {@code out}. */
    void write(T value, DataWriter out);

    /** Reads one value from {@code in}, consuming exactly the bytes {@link #write} produced for it. */
    T read(DataReader in);

    /**
     * The version of this serde's binary format; bump it when the format changes incompatibly.
     * Defaults to 1.
     */
    default int version() {
        return 1;
    }

    /**
     * A stable identity for this serde's binary format, stored alongside state snapshots and compared on
     * restore to check that the state type still matches. Two serdes with equal ids must read each
     * other's output. Defaults to the implementation class name + ":" + {@link #version()}; serdes whose
     * class name is not stable (lambdas, anonymous classes) or that are parameterized must override it.
     */
    default String id() {
        return getClass().getName() + ":" + version();
    }
}
