package io.eddy.config;

/**
 * A configuration problem that stops start-up: a file that cannot be read or is not JSON, an unknown key,
 * a value of the wrong type or out of range, a missing required key, or a bad job parameter.
 *
 * <p>The message is the complete user-facing text, always a single line, and names where the problem is,
 * for example {@code conf/jobs/wordcount.json: key 'frame.maxBytes': expected an integer, found "big"} or
 * {@code job parameter 'events': expected an integer, found "abc"}. Callers print it as it is, without a
 * stack trace. Any line break handed to the constructor is replaced by the two characters {@code \n} so
 * the one-line promise holds whatever the message was built from.
 *
 * <p>Instances are immutable once thrown, as far as {@link RuntimeException} allows.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the complete one-line text shown to the user
     */
    public ConfigException(String message) {
        super(oneLine(message));
    }

    /**
     * @param message the complete one-line text shown to the user
     * @param cause   the underlying failure (an I/O or JSON decoding error), kept for debugging
     */
    public ConfigException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        return message.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
                .replace("\u2028", "\\n").replace("\u2029", "\\n").replace("\u0085", "\\n");
    }
}
