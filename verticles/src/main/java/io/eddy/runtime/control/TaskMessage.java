package io.eddy.runtime.control;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * A message between a job's coordinator and one of its subtasks: a {@link TaskCommand} to the
 * task's control address, or a {@link TaskReport} to the coordinator's address. Every message is an
 * immutable record carried by one codec, {@link TaskMessageCodec}: in one JVM the record itself is
 * handed over; between JVMs it is written field by field, behind a one-byte tag that selects one of
 * these record types, so no class name ever crosses the network.
 *
 * <p>Send with {@link #DELIVERY} (or options derived from it), which names the codec.
 */
public sealed interface TaskMessage permits TaskCommand, TaskReport {
  /** Delivery options that select the codec of task messages. */
  DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(TaskMessageCodec.NAME);

  /** Registers the codec on {@code bus} once; later calls (other tasks of the JVM) do nothing. */
  static void registerCodecOn(EventBus bus) {
    try {
      bus.registerCodec(new TaskMessageCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another task or coordinator of this JVM did it
    }
  }

  /** Delivery options with the codec and a reply timeout, for a command that expects an answer. */
  static DeliveryOptions request(long timeoutMillis) {
    return new DeliveryOptions(DELIVERY).setSendTimeout(timeoutMillis);
  }
}
