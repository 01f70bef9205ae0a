package io.eddy.connector;

/** A connector cannot do its work; the message names what (a path, a topic) and why. */
public class ConnectorException extends RuntimeException {
  public ConnectorException(String message) {
    super(message);
  }

  public ConnectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
