package io.eddy.connectors.file;

import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.SinkWriter;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Writes each record as one line ({@code format}, by default {@code toString()}) into
 * {@code <directory>/part-<subtask>}, creating the directory and replacing an older part file of
 * the same subtask. The part file is complete when the task has finished.
 */
public final class TextFileSink<T> implements Sink<T> {
  private final String directory;
  private final Function<T, String> format;

  public TextFileSink(String directory) {
    this(directory, String::valueOf);
  }

  public TextFileSink(String directory, Function<T, String> format) {
    this.directory = directory;
    this.format = format;
  }

  public static String partFileName(int subtask) {
    return "part-" + subtask;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    Path file = Path.of(directory, partFileName(context.subtaskIndex()));
    BufferedTextOutput out = new BufferedTextOutput(context.vertx(), () -> {
      Files.createDirectories(file.getParent());
      return new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    }, true);
    return out.lineWriter(format);
  }
}
