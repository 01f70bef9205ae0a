package io.eddy.graph;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.FilterFunction;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.MapFunction;
import io.eddy.api.function.ReduceFunction;
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

  public record KeyedReduceSpec(KeySelector<?, ?> key, ReduceFunction<?> function)
      implements OperatorSpec {
    public String kind() {
      return "reduce";
    }

    public boolean keyed() {
      return true;
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

  public record SinkSpec(Sink<?> sink) implements OperatorSpec {
    public String kind() {
      return "sink";
    }
  }
}
