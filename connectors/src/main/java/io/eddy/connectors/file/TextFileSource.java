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
    private final List<String> assigned = new ArrayList<>();
    private final ArrayDeque<String> files = new ArrayDeque<>(); // not yet opened
    private final java.util.Map<String, Long> skip = new java.util.HashMap<>(); // restored positions
    private Chunk chunk = new Chunk(null, 0, new ArrayDeque<>());
    private final java.util.Set<String> restoredDone = new java.util.HashSet<>();
    private boolean ended;
    private String emittingFile;
    private long emittedLines; // of emittingFile
    private BufferedReader open; // touched only by the one read in flight, on a worker thread
    private String openFile;
    private long openLine;
    private boolean reading;
    private boolean exhausted;
    private Throwable readFailure;

    /** Lines of one file, starting at line {@code firstLine} (0-based). */
    private record Chunk(String file, long firstLine, ArrayDeque<String> lines) {}

    Reader(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void addSplits(List<SourceSplit> splits) {
      splits.forEach(s -> {
        assigned.add(s.id());
        files.add(s.id());
      });
    }

    @Override
    public void addSplits(List<SourceSplit> splits, java.util.Map<String, String> positions) {
      for (SourceSplit s : splits) {
        assigned.add(s.id());
        String p = positions.get(s.id());
        if ("done".equals(p)) {
          restoredDone.add(s.id());
        } else {
          files.add(s.id());
          if (p != null) {
            skip.put(s.id(), Long.parseLong(p));
          }
        }
      }
    }

    /**
     * Files are emitted in assignment order: those before the file being emitted are done, it has
     * its line count, those after have not started. Touches event-loop state only.
     */
    @Override
    public java.util.Map<String, String> snapshotPositions() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      boolean reached = emittingFile == null && !ended;
      for (String f : assigned) {
        if (restoredDone.contains(f) || ended) {
          m.put(f, "done");
        } else if (f.equals(emittingFile)) {
          m.put(f, Long.toString(emittedLines));
          reached = true;
        } else if (!reached) {
          m.put(f, "done");
        }
      }
      return m;
    }

    @Override
    public InputStatus pollNext(SourceOutput<String> output, int maxRecords) {
      if (readFailure != null) {
        throw new ConnectorException("reading input failed: " + readFailure.getMessage(), readFailure);
      }
      int n = 0;
      ArrayDeque<String> lines = chunk.lines();
      while (n < maxRecords && !lines.isEmpty()) {
        output.collect(lines.poll());
        emittedLines++;
        n++;
      }
      if (lines.isEmpty()) {
        if (exhausted && !reading) {
          ended = true;
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
          chunk = ar.result();
          if (!chunk.file().equals(emittingFile)) {
            emittingFile = chunk.file();
            emittedLines = chunk.firstLine();
          }
        }
        context.wakeUp();
      });
    }

    /** The next lines of the current file, or of the next one; null at the end. Worker thread. */
    private Chunk readChunk() throws IOException {
      while (true) {
        if (open == null) {
          String f = files.poll();
          if (f == null) {
            return null;
          }
          open = Files.newBufferedReader(Path.of(f), StandardCharsets.UTF_8);
          openFile = f;
          openLine = 0;
          long toSkip = skip.getOrDefault(f, 0L);
          while (openLine < toSkip && open.readLine() != null) {
            openLine++;
          }
        }
        ArrayDeque<String> lines = new ArrayDeque<>();
        long first = openLine;
        String line;
        while (lines.size() < LINES_PER_CHUNK && (line = open.readLine()) != null) {
          lines.add(line);
          openLine++;
        }
        if (lines.size() < LINES_PER_CHUNK) {
          open.close();
          open = null;
          String f = openFile;
          openFile = null;
          if (!lines.isEmpty()) {
            return new Chunk(f, first, lines);
          }
          continue;
        }
        return new Chunk(openFile, first, lines);
      }
    }

    @Override
    public void close() throws IOException {
      if (open != null && !reading) {
        open.close();
      }
    }
  }
}
