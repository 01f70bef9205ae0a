package io.eddy.api;

import java.util.Objects;

/**
 * Names a side output: a second stream an operator may emit into besides its main output (late
 * records of a window, bad records, anything a process function routes aside). Tags are equal when
 * their ids are, so a job can create the same tag twice. Get the side stream with
 * {@link DataStream#sideOutput(OutputTag)} on the stream of the operator that emits into it.
 */
public final class OutputTag<T> {
  /** Where operators send records the job's bad-record policy routes to a dead letter. */
  public static final OutputTag<BadRecord> BAD_RECORDS = new OutputTag<>("eddy.bad-records");

  private final String id;

  public OutputTag(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("an output tag needs a non-blank id");
    }
    this.id = id;
  }

  public String id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputTag<?> t && t.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "OutputTag(" + id + ")";
  }
}
