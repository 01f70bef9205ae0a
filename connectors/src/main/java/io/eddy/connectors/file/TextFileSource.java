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

  /**
   * Reads its files interleaved, a chunk of each in turn, each file a split with watermarks of its
   * own, so files covering the same period keep their records on time. Reading runs on worker
   * threads, one chunk ahead; everything else on the task's event loop.
   */
  private static final class Reader implements SourceReader<String> {
    private final SourceReaderContext context;
    private final List<String> assigned = new ArrayList<>();
    private final ArrayDeque<String> rotation = new ArrayDeque<>(); // files with lines left, next first
    private final java.util.Map<String, Long> emitted = new java.util.HashMap<>(); // lines per file
    private final java.util.Set<String> done = new java.util.HashSet<>();
    // touched only by the one read in flight, on a worker thread
    private final java.util.Map<String, BufferedReader> open = new java.util.HashMap<>();
    private final java.util.Map<String, Long> openLine = new java.util.HashMap<>();
    private Chunk chunk;
    private boolean reading;
    private Throwable readFailure;

    /** Lines of one file from line {@code firstLine} (0-based); {@code last}: the file ends with them. */
    private record Chunk(String file, long firstLine, ArrayDeque<String> lines, boolean last) {}

    Reader(SourceReaderContext context) {
      this.context = context;
    }

    @Override
    public void addSplits(List<SourceSplit> splits) {
      addSplits(splits, java.util.Map.of());
    }

    @Override
    public void addSplits(List<SourceSplit> splits, java.util.Map<String, String> positions) {
      for (SourceSplit s : splits) {
        assigned.add(s.id());
        String p = positions.get(s.id());
        if ("done".equals(p)) {
          done.add(s.id());
        } else {
          rotation.add(s.id());
          emitted.put(s.id(), p == null ? 0L : Long.parseLong(p));
        }
      }
    }

    @Override
    public java.util.Map<String, String> snapshotPositions() {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      for (String f : assigned) {
        m.put(f, done.contains(f) ? "done" : Long.toString(emitted.getOrDefault(f, 0L)));
      }
      return m;
    }

    @Override
    public InputStatus pollNext(SourceOutput<String> output, int maxRecords) {
      if (readFailure != null) {
        throw new ConnectorException("reading input failed: " + readFailure.getMessage(), readFailure);
      }
      if (chunk == null) {
        if (rotation.isEmpty() && !reading) {
          return InputStatus.END_OF_INPUT;
        }
        readAhead();
        return InputStatus.NOTHING_AVAILABLE;
      }
      output.split(chunk.file());
      int n = 0;
      ArrayDeque<String> lines = chunk.lines();
      while (n < maxRecords && !lines.isEmpty()) {
        output.collect(lines.poll());
        n++;
      }
      emitted.merge(chunk.file(), (long) n, Long::sum);
      if (lines.isEmpty()) {
        if (chunk.last()) {
          done.add(chunk.file());
          output.splitFinished(chunk.file());
        }
        chunk = null;
        readAhead();
      }
      return InputStatus.MORE_AVAILABLE;
    }

    private void readAhead() {
      if (reading || rotation.isEmpty()) {
        return;
      }
      reading = true;
      String file = rotation.poll();
      long skip = emitted.getOrDefault(file, 0L);
      context.vertx().executeBlocking(() -> readChunk(file, skip), true).onComplete(ar -> {
        reading = false;
        if (ar.failed()) {
          readFailure = ar.cause();
        } else {
          chunk = ar.result();
          if (!chunk.last()) {
            rotation.add(file);
          }
        }
        context.wakeUp();
      });
    }

    /** The next lines of {@code file}, skipping {@code skip} lines on first opening. Worker thread. */
    private Chunk readChunk(String file, long skip) throws IOException {
      BufferedReader in = open.get(file);
      if (in == null) {
        in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        open.put(file, in);
        long line = 0;
        while (line < skip && in.readLine() != null) {
          line++;
        }
        openLine.put(file, line);
      }
      long first = openLine.get(file);
      ArrayDeque<String> lines = new ArrayDeque<>();
      String line = null;
      while (lines.size() < LINES_PER_CHUNK && (line = in.readLine()) != null) {
        lines.add(line);
      }
      boolean last = line == null;
      if (last) {
        in.close();
        open.remove(file);
      }
      openLine.put(file, first + lines.size());
      return new Chunk(file, first, lines, last);
    }

    @Override
    public void close() throws IOException {
      if (!reading) {
        for (BufferedReader r : open.values()) {
          r.close();
        }
      }
    }
  }
}
