package io.eddy.serde;

/**
 * Unchecked failure to serialize or deserialize a value.
 *
 * <p>Thrown when input is truncated or malformed (the message names the reader position),
 * when no {@link Serde} can be found or built for a type (the message names the type and
 * how to fix it), and when a fallback codec such as Java serialization fails.
 */
public class SerdeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public SerdeException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
