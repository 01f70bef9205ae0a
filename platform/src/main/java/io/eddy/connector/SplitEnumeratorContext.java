package io.eddy.connector;

import io.vertx.core.Vertx;
import java.util.List;

/** What a {@link SplitEnumerator} may use of the coordinator that runs it. */
public interface SplitEnumeratorContext {
  /** The number of readers (the source's parallelism in this attempt). */
  int parallelism();

  /** For asynchronous clients, timers and {@code executeBlocking}; never block its event loop. */
  Vertx vertx();

  /** Sends {@code splits} to reader {@code subtask}; they arrive in the order sent. */
  void assignSplits(int subtask, List<? extends SourceSplit> splits);

  /** Tells reader {@code subtask} that no split will follow: it ends once its splits are done. */
  void signalNoMoreSplits(int subtask);

  /** The source cannot go on (a topic vanished, a broker refused): the job fails with this. */
  void fail(Throwable cause);
}
