package io.eddy.runtime.operators;

import io.eddy.api.Counter;
import io.eddy.api.OutputTag;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.graph.Specs;
import io.eddy.runtime.Output;
import io.eddy.runtime.StreamOperator;
import io.eddy.time.ProcessWindowFunction;
import io.eddy.time.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * What the window operators share: the key, the incremental aggregation, emitting a window's
 * result (directly, or through the window function), and where late records go.
 */
abstract class WindowOperatorBase<K, IN, ACC, V, OUT> extends StreamOperator<IN, OUT>
    implements ProcessWindowFunction.Context<Window> {
  protected final KeySelector<IN, K> keySelector;
  protected final AggregateFunction<IN, ACC, V> aggregate;
  private final ProcessWindowFunction<Object, OUT, K, Window> windowFunction;
  private final boolean functionGetsElements;
  protected final long allowedLateness;
  private final String lateTag;
  protected long currentWatermark = Long.MIN_VALUE;
  private Output<Object> lateOutput;
  private Counter lateDropped;
  private Window firingWindow;
  private final OutputCollector collector = new OutputCollector();

  @SuppressWarnings("unchecked")
  WindowOperatorBase(Specs.WindowSpec spec) {
    this.keySelector = (KeySelector<IN, K>) spec.key();
    this.aggregate = (AggregateFunction<IN, ACC, V>) spec.aggregate();
    this.windowFunction = (ProcessWindowFunction<Object, OUT, K, Window>) spec.windowFunction();
    this.functionGetsElements = spec.windowFunctionGetsElements();
    this.allowedLateness = spec.allowedLateness();
    this.lateTag = spec.lateTag();
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (aggregate instanceof io.eddy.api.function.RichFunction r) {
      r.open(context);
    }
    if (lateTag != null) {
      lateOutput = context.sideOutput(lateTag);
    }
    lateDropped = context.counter("lateRecordsDropped");
  }

  @Override
  protected Object userFunction() {
    return windowFunction;
  }

  protected final K keyOf(IN record) {
    try {
      K k = keySelector.getKey(record);
      if (k == null) {
        throw new NullPointerException("key selector returned null for record " + record);
      }
      return k;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  protected final ACC add(IN record, ACC acc) {
    try {
      return aggregate.add(record, acc == null ? aggregate.createAccumulator() : acc);
    } catch (Exception e) {
      throw failure(e);
    }
  }

  /** A record too late for all its windows: to the late side output, or counted as dropped. */
  protected final void late(IN record, long timestamp) {
    if (lateOutput != null) {
      lateOutput.collect(record, timestamp);
    } else {
      lateDropped.inc();
    }
  }

  /** Emits the result of one key's window, timestamped with the window's last millisecond. */
  @SuppressWarnings("unchecked")
  protected final void emit(K key, Window window, ACC acc) {
    long ts = window.maxTimestamp();
    try {
      V result = aggregate.getResult(acc);
      if (windowFunction == null) {
        output.collect((OUT) result, ts);
        return;
      }
      firingWindow = window;
      collector.timestamp = ts;
      Iterable<Object> elements = functionGetsElements ? (Iterable<Object>) result : singleton(result);
      windowFunction.process(key, this, elements, collector);
    } catch (io.eddy.runtime.OperatorException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e);
    }
  }

  private static List<Object> singleton(Object o) {
    List<Object> l = new ArrayList<>(1);
    l.add(o);
    return l;
  }

  // ProcessWindowFunction.Context

  @Override
  public Window window() {
    return firingWindow;
  }

  @Override
  public long currentWatermark() {
    return currentWatermark;
  }

  @Override
  public long currentProcessingTime() {
    return System.currentTimeMillis();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <X> void output(OutputTag<X> tag, X value) {
    context.sideOutput(tag.id()).collect(value, collector.timestamp);
  }

  private final class OutputCollector implements io.eddy.api.function.Collector<OUT> {
    long timestamp;

    @Override
    public void collect(OUT record) {
      output.collect(record, timestamp);
    }
  }
}
