package io.eddy.graph;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.FilterFunction;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.MapFunction;
import io.eddy.connector.Sink;
import io.eddy.connector.Source;

/** The operator specs of the core API. */
public final class Specs {
  private Specs() {}

  public record SourceSpec(Source<?> source) implements OperatorSpec {
    public String kind() {
      return "source";
    }
  }

  public record MapSpec(MapFunction<?, ?> function) implements OperatorSpec {
    public String kind() {
      return "map";
    }
  }

  public record FilterSpec(FilterFunction<?> function) implements OperatorSpec {
    public String kind() {
      return "filter";
    }
  }

  public record FlatMapSpec(FlatMapFunction<?, ?> function) implements OperatorSpec {
    public String kind() {
      return "flatMap";
    }
  }

  /** Passes records of several inputs on unchanged. */
  public record UnionSpec() implements OperatorSpec {
    public String kind() {
      return "union";
    }
  }

  public record KeyedAggregateSpec(KeySelector<?, ?> key, AggregateFunction<?, ?, ?> function)
      implements OperatorSpec {
    public String kind() {
      return "aggregate";
    }

    public boolean keyed() {
      return true;
    }
  }

  public record KeyedProcessSpec(KeySelector<?, ?> key, KeyedProcessFunction<?, ?, ?> function)
      implements OperatorSpec {
    public String kind() {
      return "process";
    }

    public boolean keyed() {
      return true;
    }
  }

  /** A non-keyed process function. */
  public record ProcessSpec(io.eddy.api.ProcessFunction<?, ?> function) implements OperatorSpec {
    public String kind() {
      return "process";
    }
  }

  /** Assigns timestamps and generates watermarks. */
  public record WatermarkSpec(io.eddy.time.WatermarkStrategy<?> strategy) implements OperatorSpec {
    public String kind() {
      return "watermarks";
    }
  }

  /**
   * A keyed window: the assigner, the trigger (null: the assigner's default), the allowed lateness
   * in ms, the side-output tag id for late records (or null), the incremental aggregation, the
   * window function (or null: emit the aggregate's result), and whether the window function gets
   * the window's records themselves (process) rather than the one aggregated result.
   */
  public record WindowSpec(
      KeySelector<?, ?> key,
      io.eddy.time.WindowAssigner<?, ?> assigner,
      io.eddy.time.Trigger<?, ?> trigger,
      long allowedLateness,
      String lateTag,
      AggregateFunction<?, ?, ?> aggregate,
      io.eddy.time.ProcessWindowFunction<?, ?, ?, ?> windowFunction,
      boolean windowFunctionGetsElements)
      implements OperatorSpec {
    public String kind() {
      return "window";
    }

    public boolean keyed() {
      return true;
    }

    @Override
    public void validate(String operatorName) {
      String problem = assigner.problem();
      if (problem != null) {
        throw new IllegalArgumentException("operator '" + operatorName + "': " + problem);
      }
      if (allowedLateness < 0) {
        throw new IllegalArgumentException(
            "operator '" + operatorName + "': allowed lateness must not be negative, got " + allowedLateness + " ms");
      }
      if (assigner.isMerging() && trigger != null && !trigger.canMerge()) {
        throw new IllegalArgumentException(
            "operator '" + operatorName + "': the trigger cannot merge windows, which session windows need");
      }
    }
  }

  /**
   * Asynchronous requests per record: the function, whether results keep the input order, the
   * most requests in flight per subtask, and the timeout of one request in ms.
   */
  public record AsyncMapSpec(
      io.eddy.api.function.AsyncFunction<?, ?> function, boolean ordered, int capacity, long timeoutMillis)
      implements OperatorSpec {
    /** The largest capacity: every request in flight is held in memory and in checkpoints. */
    public static final int MAX_CAPACITY = 1 << 16;

    public String kind() {
      return "asyncMap";
    }

    @Override
    public boolean startsChain() {
      return true;
    }

    @Override
    public void validate(String operatorName) {
      if (capacity < 1 || capacity > MAX_CAPACITY) {
        throw new IllegalArgumentException("operator '" + operatorName + "': capacity must be between 1 and "
            + MAX_CAPACITY + ", got " + capacity);
      }
      if (timeoutMillis < 1) {
        throw new IllegalArgumentException(
            "operator '" + operatorName + "': timeout must be at least 1 ms, got " + timeoutMillis + " ms");
      }
    }
  }

  public record SinkSpec(Sink<?> sink) implements OperatorSpec {
    public String kind() {
      return "sink";
    }
  }
}
