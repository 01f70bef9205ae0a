package io.eddy.deployer.control;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * A request between the nodes' deployers: a {@link JobRequest} to the leader's job registry (from any node's REST
 * API, or from a node that leaves), or a {@link NodeRequest} from the leader to the node that is to run or stop a
 * job's tasks. Every request is an immutable record carried by one codec, {@link DeployerMessageCodec}: in one JVM
 * the record itself is handed over; between JVMs it is written field by field behind a one-byte tag that selects one
 * of these record types, so no class name crosses the network. Replies are not requests: the registry answers with
 * the JSON body the REST API returns, a node with a short text, and both fail a request with an HTTP-like code.
 *
 * <p>Send with {@link #delivery} (or options derived from it), which names the codec; register the codec on every
 * node's event bus first with {@link #registerCodecOn}.
 */
public sealed interface DeployerMessage permits JobRequest, NodeRequest {
  /** Registers the codec on {@code bus} once; later calls (another verticle of the JVM) do nothing. */
  static void registerCodecOn(EventBus bus) {
    try {
      bus.registerCodec(new DeployerMessageCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle of this JVM did it
    }
  }

  /** Delivery options with the codec and a reply timeout: every deployer request expects an answer. */
  static DeliveryOptions delivery(long timeoutMillis) {
    return new DeliveryOptions().setCodecName(DeployerMessageCodec.NAME).setSendTimeout(timeoutMillis);
  }
}
