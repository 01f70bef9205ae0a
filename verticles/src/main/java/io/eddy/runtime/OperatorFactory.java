package io.eddy.runtime;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.FilterFunction;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.MapFunction;
import io.eddy.connector.Sink;
import io.eddy.graph.OperatorSpec;
import io.eddy.graph.Specs;
import io.eddy.runtime.operators.FilterOperator;
import io.eddy.runtime.operators.FlatMapOperator;
import io.eddy.runtime.operators.KeyedAggregateOperator;
import io.eddy.runtime.operators.KeyedProcessOperator;
import io.eddy.runtime.operators.MapOperator;
import io.eddy.runtime.operators.PassThroughOperator;
import io.eddy.runtime.operators.SinkOperator;

/** Turns the graph's operator specs into running operators. Sources are driven by the task itself. */
final class OperatorFactory {
  private OperatorFactory() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static StreamOperator<Object, Object> create(OperatorSpec spec, io.eddy.config.JobConfig config) {
    StreamOperator op;
    if (spec instanceof Specs.MapSpec s) {
      op = new MapOperator<>((MapFunction) s.function());
    } else if (spec instanceof Specs.FilterSpec s) {
      op = new FilterOperator<>((FilterFunction) s.function());
    } else if (spec instanceof Specs.FlatMapSpec s) {
      op = new FlatMapOperator<>((FlatMapFunction) s.function());
    } else if (spec instanceof Specs.UnionSpec) {
      op = new PassThroughOperator<>();
    } else if (spec instanceof Specs.KeyedAggregateSpec s) {
      op = new KeyedAggregateOperator<>((KeySelector) s.key(), (AggregateFunction) s.function());
    } else if (spec instanceof Specs.KeyedProcessSpec s) {
      op = new KeyedProcessOperator<>((KeySelector) s.key(), (KeyedProcessFunction) s.function());
    } else if (spec instanceof Specs.ProcessSpec s) {
      op = new io.eddy.runtime.operators.ProcessOperator<>((io.eddy.api.ProcessFunction) s.function());
    } else if (spec instanceof Specs.WatermarkSpec s) {
      op = new io.eddy.runtime.operators.WatermarkOperator<>(
          (io.eddy.time.WatermarkStrategy) s.strategy(), config.watermarkIntervalMillis());
    } else if (spec instanceof Specs.WindowSpec s) {
      op = io.eddy.runtime.operators.WindowOperators.create(s);
    } else if (spec instanceof Specs.AsyncMapSpec s) {
      op = new io.eddy.runtime.operators.AsyncWaitOperator<>(
          (io.eddy.api.function.AsyncFunction) s.function(), s.ordered(), s.capacity(), s.timeoutMillis());
    } else if (spec instanceof Specs.SinkSpec s) {
      op = new SinkOperator<>((Sink) s.sink());
    } else {
      throw new IllegalArgumentException("no operator for " + spec.kind() + " (" + spec + ")");
    }
    return op;
  }
}
