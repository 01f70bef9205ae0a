package io.eddy.connectors.file;

import io.eddy.connector.ConnectorException;
import io.eddy.connector.Sink;
import io.eddy.connector.SinkContext;
import io.eddy.connector.TwoPhaseCommitSinkWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Writes lines into part files that appear exactly once, with the job's checkpoints. Each
 * transaction is a hidden in-progress file ({@code .<name>.inprogress}); at a checkpoint barrier it
 * is flushed, synced and renamed to a hidden pending file ({@code .<name>.pending}), and when the
 * checkpoint completes it is renamed to its visible name {@code part-<subtask>-<writer id>-<n>}.
 * Renames are atomic, so a reader of the directory that ignores hidden files only ever sees
 * committed, complete files. A committable is the pending file's absolute path (so a job restored
 * with another {@code output} directory still commits what the old one pre-committed, where it was
 * written); committing one whose visible file already exists does nothing. A transaction that wrote no line has no file (its
 * committable is empty), so checkpoints of an idle sink add no empty part files.
 *
 * <p>File names carry the job's attempt ({@code part-<subtask>-<attempt id>-<writer id>-<n>}). After
 * a restore, the hidden files of other attempts that the restored checkpoint does not name (the
 * in-progress file a failure cut off, pending files of a checkpoint that never completed) are
 * deleted: no checkpoint can commit them. The output directory therefore belongs to one job.
 */
public final class ExactlyOnceTextFileSink<T> implements Sink<T> {
  private static final System.Logger LOG = System.getLogger(ExactlyOnceTextFileSink.class.getName());
  private final String directory;
  private final Function<T, String> format;

  public ExactlyOnceTextFileSink(String directory, Function<T, String> format) {
    this.directory = directory;
    this.format = format;
  }

  /** True for files a reader of the output should read (committed part files). */
  public static boolean isCommitted(Path file) {
    String n = file.getFileName().toString();
    return n.startsWith("part-") && !n.endsWith(".inprogress") && !n.endsWith(".pending");
  }

  @Override
  public TwoPhaseCommitSinkWriter<T> createWriter(SinkContext context) {
    return new Writer<>(context.vertx(), Path.of(directory), context.attemptId(),
        "part-" + context.subtaskIndex() + "-" + context.attemptId() + "-" + UUID.randomUUID().toString().substring(0, 4),
        format);
  }

  private static final class Writer<T> implements TwoPhaseCommitSinkWriter<T> {
    /** The committable of a transaction without lines. */
    private static final String NOTHING = "";
    private final Vertx vertx;
    private final Path dir;
    private final String attemptId;
    private final String prefix;
    private final Function<T, String> format;
    private final List<String> finalCommittables = new ArrayList<>();
    private BufferedTextOutput out;
    private int sequence;

    Writer(Vertx vertx, Path dir, String attemptId, String prefix, Function<T, String> format) {
      this.vertx = vertx;
      this.dir = dir;
      this.attemptId = attemptId;
      this.prefix = prefix;
      this.format = format;
    }

    private Path inProgress(int seq) {
      return dir.resolve("." + prefix + "-" + seq + ".inprogress");
    }

    private static String visibleName(String pendingName) {
      return pendingName.substring(1, pendingName.length() - ".pending".length());
    }

    @Override
    public void write(T record, long timestamp) throws Exception {
      if (out == null) {
        Path file = inProgress(sequence);
        out = new BufferedTextOutput(vertx, () -> {
          Files.createDirectories(dir);
          OutputStream s = Files.newOutputStream(file);
          return new BufferedOutputStream(s, 1 << 16);
        }, true);
      }
      out.writeLine(format.apply(record));
    }

    @Override
    public Future<Void> backPressure() {
      return out == null ? null : out.backPressure();
    }

    @Override
    public Future<String> preCommit(long checkpointId) {
      if (out == null) {
        return Future.succeededFuture(NOTHING); // no line since the last barrier: no file
      }
      int seq = sequence++;
      Path from = inProgress(seq);
      Path pending = dir.resolve("." + prefix + "-" + seq + ".pending");
      Future<Void> flushed = out.finish();
      out = null;
      return flushed.compose(v -> vertx.executeBlocking(() -> {
        try (FileChannel ch = FileChannel.open(from, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        move(from, pending);
        return pending.toAbsolutePath().toString();
      }, true));
    }

    @Override
    public Future<Void> commit(List<String> committables) {
      List<String> names = List.copyOf(committables);
      return vertx.executeBlocking(() -> {
        for (String name : names) {
          if (name.equals(NOTHING)) {
            continue;
          }
          Path pending = dir.resolve(name); // an absolute path stays as it is; older committables are names
          Path visible = pending.resolveSibling(visibleName(pending.getFileName().toString()));
          if (Files.exists(visible)) {
            continue; // committed before
          }
          if (!Files.exists(pending)) {
            throw new ConnectorException("cannot commit '" + pending + "': neither it nor '" + visible + "' exists");
          }
          move(pending, visible);
        }
        return null;
      }, true);
    }

    @Override
    public Future<Void> discardAbandoned(java.util.Set<String> keep) {
      java.util.Set<Path> kept = new java.util.HashSet<>();
      for (String k : keep) {
        if (!k.equals(NOTHING)) {
          kept.add(dir.resolve(k).toAbsolutePath().normalize());
        }
      }
      return vertx.executeBlocking(() -> {
        if (!Files.isDirectory(dir)) {
          return null;
        }
        List<Path> abandoned;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
          abandoned = files.filter(f -> isHiddenTransaction(f.getFileName().toString()))
              .filter(f -> !ofAttempt(f.getFileName().toString(), attemptId))
              .filter(f -> !kept.contains(f.toAbsolutePath().normalize()))
              .toList();
        }
        for (Path f : abandoned) {
          Files.deleteIfExists(f);
        }
        if (!abandoned.isEmpty()) {
          LOG.log(System.Logger.Level.INFO, "deleted {0} transaction file(s) of failed attempts in {1}",
              abandoned.size(), dir);
        }
        return null;
      }, false);
    }

    private static boolean isHiddenTransaction(String name) {
      return name.startsWith(".part-") && (name.endsWith(".inprogress") || name.endsWith(".pending"));
    }

    /** {@code .part-<subtask>-<attempt id>-...}: written by this attempt. */
    private static boolean ofAttempt(String name, String attemptId) {
      int afterSubtask = name.indexOf('-', ".part-".length());
      return afterSubtask > 0 && name.startsWith(attemptId + "-", afterSubtask + 1);
    }

    @Override
    public Future<Void> finish() {
      return preCommit(Long.MAX_VALUE).map(c -> {
        finalCommittables.add(c);
        return null;
      });
    }

    @Override
    public List<String> finalCommittables() {
      return finalCommittables;
    }

    private static void move(Path from, Path to) throws java.io.IOException {
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, to);
      }
    }
  }
}
