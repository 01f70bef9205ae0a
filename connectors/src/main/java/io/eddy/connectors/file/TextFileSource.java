package io.eddy.connectors.file;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.Source;
import io.eddy.connector.SourceOutput;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A bounded source of the lines of a text file, or of every regular, non-hidden file of a
 * directory (not recursive). Each file is a split, ordered by name. Reading happens on worker
 * threads in chunks, one chunk ahead, so the task's event loop never waits on the disk.
 */
public final class TextFileSource implements Source<String> {
  private static final int LINES_PER_CHUNK = 4096;
  private final String path;

  public TextFileSource(String path) {
    this.path = path;
  }

  /** One file; {@code id} is its path. */
  public record FileSplit(String id) implements SourceSplit {}

  @Override
  public List<FileSplit> createSplits(int parallelism) throws IOException {
    Path p = Path.of(path);
    if (!Files.exists(p)) {
      throw new ConnectorException("input path '" + path + "' does not exist");
    }
    if (!Files.isReadable(p)) {
      throw new ConnectorException("input path '" + path + "' is not readable");
    }
    List<FileSplit> splits = new ArrayList<>();
    if (Files.isDirectory(p)) {
      try (Stream<Path> files = Files.list(p)) {
        files.filter(Files::isRegularFile)
            .filter(f -> !f.getFileName().toString().startsWith("."))
            .sorted()
            .forEach(f -> splits.add(new FileSplit(f.toString())));
      }
      for (FileSplit s : splits) {
        if (!Files.isReadable(Path.of(s.id()))) {
          throw new ConnectorException("input file '" + s.id() + "' is not readable");
        }
      }
    } else {
      splits.add(new FileSplit(p.toString()));
    }
    return splits;
  }

  @Override
  public SourceReader<String> createReader(SourceReaderContext context) {
    return new Reader(context);
  }

  private static final class Reader implements SourceReader<String> {
    private final SourceReaderContext context;
    private final ArrayDeque<String> files = new ArrayDeque<>();
    private ArrayDeque<String> lines = new ArrayDeque<>();
    private BufferedReader open; // touched only by the one read in flight, on a worker thread
    private boolean reading;
    private boolean exhausted;
    private Throwable readFailure;

    Reader(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void addSplits(List<SourceSplit> splits) {
      splits.forEach(s -> files.add(s.id()));
    }

    @Override
    public InputStatus pollNext(SourceOutput<String> output, int maxRecords) {
      if (readFailure != null) {
        throw new ConnectorException("reading input failed: " + readFailure.getMessage(), readFailure);
      }
      int n = 0;
      while (n < maxRecords && !lines.isEmpty()) {
        output.collect(lines.poll());
        n++;
      }
      if (lines.isEmpty()) {
        if (exhausted && !reading) {
          return InputStatus.END_OF_INPUT;
        }
        readAhead();
        return n > 0 ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
      }
      return InputStatus.MORE_AVAILABLE;
    }

    private void readAhead() {
      if (reading || exhausted) {
        return;
      }
      reading = true;
      context.vertx().executeBlocking(this::readChunk).onComplete(ar -> {
        reading = false;
        if (ar.failed()) {
          readFailure = ar.cause();
        } else if (ar.result() == null) {
          exhausted = true;
        } else {
          lines = ar.result();
        }
        context.wakeUp();
      });
    }

    /** The next chunk of lines over all files, or null at the end. Runs on a worker thread. */
    private ArrayDeque<String> readChunk() throws IOException {
      ArrayDeque<String> chunk = new ArrayDeque<>();
      while (chunk.size() < LINES_PER_CHUNK) {
        if (open == null) {
          String f = files.poll();
          if (f == null) {
            break;
          }
          open = Files.newBufferedReader(Path.of(f), StandardCharsets.UTF_8);
        }
        String line = open.readLine();
        if (line == null) {
          open.close();
          open = null;
        } else {
          chunk.add(line);
        }
      }
      return chunk.isEmpty() ? null : chunk;
    }

    @Override
    public void close() throws IOException {
      if (open != null && !reading) {
        open.close();
      }
    }
  }
}
