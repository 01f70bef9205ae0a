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

  /** One entry of broadcast state, as checkpoints keep it. */
  public record BroadcastEntry(String state, Object key, Object value) {}

  public <O> DataStream<O> process(BroadcastProcessFunction<A, B, O> function) {
    Objects.requireNonNull(function);
    io.eddy.graph.TypeExtraction.Extracted out =
        io.eddy.graph.TypeExtraction.typeArgument(function, BroadcastProcessFunction.class, 2);
    return DataStream.typed(ConnectedStreams.tagged(first, broadcast.stream.broadcast()).process(new ProcessFunction<TwoInputElement, O>() {
      private final Map<String, Map<Object, Object>> states = new HashMap<>();
      private io.eddy.api.state.ListState<BroadcastEntry> saved;

      @Override
      public void open(RuntimeContext context) throws Exception {
        // every subtask holds the same broadcast state: a union restore gives each all of it
        saved = context.operatorState().getUnionListState(
            new io.eddy.api.state.ListStateDescriptor<>("broadcast-state", BroadcastEntry.class));
        for (BroadcastEntry e : saved.get()) {
          states.computeIfAbsent(e.state(), n -> new HashMap<>()).put(e.key(), e.value());
        }
        function.open(context);
      }

      @Override
      public void close() throws Exception {
        function.close();
      }

      @Override
      public void snapshotState(long checkpointId) throws Exception {
        function.snapshotState(checkpointId);
        java.util.List<BroadcastEntry> all = new java.util.ArrayList<>();
        states.forEach((name, m) -> m.forEach((k, v) -> all.add(new BroadcastEntry(name, k, v))));
        saved.update(all);
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
    }), out);
  }
}
