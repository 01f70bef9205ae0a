package io.eddy.api;

/** A stream sent to every subtask of the operator it is connected to; see {@link BroadcastProcessFunction}. */
public final class BroadcastStream<B> {
  final DataStream<B> stream;

  BroadcastStream(DataStream<B> stream) {
    this.stream = stream;
  }
}
