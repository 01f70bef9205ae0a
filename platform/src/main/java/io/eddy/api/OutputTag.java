package io.eddy.api;

import java.util.Objects;

/**
 * Names a side output: a second stream an operator may emit into besides its main output (late
 * records of a window, bad records, anything a process function routes aside). Tags are equal when
 * their ids are, so a job can create the same tag twice. Get the side stream with
 * {@link DataStream#sideOutput(OutputTag)} on the stream of the operator that emits into it.
 *
 * <p>A tag carries the class of its records, as Flink's does: {@code new OutputTag<>("alerts", Alert.class)}, or an
 * anonymous subclass {@code new OutputTag<Alert>("alerts") {}} whose type argument says it. A tag without a type
 * may name only a window's late records (whose type is the window's input); for any other side stream the plan
 * asks for the type.
 */
public class OutputTag<T> {
  /** Where operators send records the job's bad-record policy routes to a dead letter. */
  public static final OutputTag<BadRecord> BAD_RECORDS = new OutputTag<>("eddy.bad-records", BadRecord.class);

  private final String id;
  private final java.lang.reflect.Type type;

  /** A tag whose type is its anonymous subclass's type argument, if any. */
  public OutputTag(String id) {
    this(id, (java.lang.reflect.Type) null);
  }

  public OutputTag(String id, Class<T> type) {
    this(id, (java.lang.reflect.Type) java.util.Objects.requireNonNull(type, "type"));
  }

  private OutputTag(String id, java.lang.reflect.Type type) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("an output tag needs a non-blank id");
    }
    this.id = id;
    if (type == null && getClass() != OutputTag.class) {
      io.eddy.graph.TypeExtraction.Extracted e =
          io.eddy.graph.TypeExtraction.fromClass(getClass(), OutputTag.class, 0, "output tag '" + id + "'");
      type = e.type();
    }
    this.type = type;
  }

  public String id() {
    return id;
  }

  /** The type of the tag's records, or null when the tag does not declare it. */
  public java.lang.reflect.Type type() {
    return type;
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
