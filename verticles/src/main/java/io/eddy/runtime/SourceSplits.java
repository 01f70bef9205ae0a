package io.eddy.runtime;

import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a source task's reader gets its splits: computed by the subtask itself (a source without a
 * split enumerator: every {@code p}-th split of {@link Source#createSplits}), or assigned at run
 * time by the coordinator's enumerator ({@link io.eddy.runtime.control.TaskCommand.AssignSplits} messages). Either way a split the
 * restored checkpoint recorded resumes from its recorded position. Event-loop thread only.
 */
final class SourceSplits {
  private final Source<?> source;
  private final SourceReader<Object> reader;
  private final String sourceName;
  private final Map<String, String> restoredPositions; // of every subtask (union state)

  SourceSplits(Source<?> source, SourceReader<Object> reader, String sourceName, Map<String, String> restoredPositions) {
    this.source = source;
    this.reader = reader;
    this.sourceName = sourceName;
    this.restoredPositions = restoredPositions;
  }

  /** A source without an enumerator: this subtask's share of {@code all}. */
  void assignStatic(List<? extends SourceSplit> all, int subtask, int parallelism, boolean restoring) throws Exception {
    List<SourceSplit> mine = new ArrayList<>();
    for (int i = subtask; i < all.size(); i += parallelism) {
      mine.add(all.get(i));
    }
    if (!restoring) {
      reader.addSplits(mine);
      return;
    }
    Set<String> ids = new HashSet<>();
    all.forEach(split -> ids.add(split.id()));
    for (String recorded : restoredPositions.keySet()) {
      if (!ids.contains(recorded)) {
        throw new IllegalStateException("source '" + sourceName + "': the checkpoint records split '"
            + recorded + "', which this run does not have (its splits are " + ids
            + "); a source whose splits depend on the parallelism cannot be rescaled");
      }
    }
    reader.addSplits(mine, restoredPositions);
  }

  /** Splits the enumerator assigned: each resumes where the checkpoint says, if it says. */
  void assigned(io.eddy.runtime.control.TaskCommand.AssignSplits a) throws Exception {
    if (!a.splits().isEmpty()) {
      List<SourceSplit> splits = new ArrayList<>();
      Map<String, String> positions = new HashMap<>();
      for (String text : a.splits()) {
        SourceSplit s = source.deserializeSplit(text);
        splits.add(s);
        String pos = restoredPositions.get(s.id());
        if (pos != null) {
          positions.put(s.id(), pos);
        }
      }
      reader.addSplits(splits, positions);
    }
    if (a.noMoreSplits()) {
      reader.noMoreSplits();
    }
  }
}
