package io.eddy.api;

import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** A stream connected with a broadcast stream; finish with {@link #process}. */
public final class BroadcastConnectedStream<A, B> {
  private final DataStream<A> first;
  private final BroadcastStream<B> broadcast;

  BroadcastConnectedStream(DataStream<A> first, BroadcastStream<B> broadcast) {
    this.first = first;
    this.broadcast = broadcast;
  }

  public <O> DataStream<O> process(BroadcastProcessFunction<A, B, O> function) {
    Objects.requireNonNull(function);
    return ConnectedStreams.tagged(first, broadcast.stream.broadcast()).process(new ProcessFunction<TwoInputElement, O>() {
      private final Map<String, Map<Object, Object>> states = new HashMap<>();

      @Override
      public void open(RuntimeContext context) throws Exception {
        function.open(context);
      }

      @Override
      public void close() throws Exception {
        function.close();
      }

      @Override
      @SuppressWarnings("unchecked")
      public void processElement(TwoInputElement e, Context ctx, Collector<O> out) throws Exception {
        if (e.first()) {
          function.processElement((A) e.value(), new ReadOnly(ctx), out);
        } else {
          function.processBroadcastElement((B) e.value(), new Writable(ctx), out);
        }
      }

      class Writable implements BroadcastProcessFunction.Context {
        final Context ctx;

        Writable(Context ctx) {
          this.ctx = ctx;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Map<K, V> broadcastState(String name) {
          return (Map<K, V>) states.computeIfAbsent(name, n -> new HashMap<>());
        }

        @Override
        public long timestamp() {
          return ctx.timestamp();
        }

        @Override
        public long currentWatermark() {
          return ctx.currentWatermark();
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
          ctx.output(tag, value);
        }
      }

      class ReadOnly extends Writable implements BroadcastProcessFunction.ReadOnlyContext {
        ReadOnly(Context ctx) {
          super(ctx);
        }

        @Override
        public <K, V> Map<K, V> broadcastState(String name) {
          return Collections.unmodifiableMap(super.broadcastState(name));
        }
      }
    });
  }
}
