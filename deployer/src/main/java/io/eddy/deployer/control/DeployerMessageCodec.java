package io.eddy.deployer.control;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.eddy.runtime.control.WireFields;
import java.util.ArrayList;
import java.util.List;

/**
 * The one codec of {@link DeployerMessage}s. Locally the (immutable) record is handed over as it is. On the wire: a
 * tag byte naming the record type, then its fields in declaration order; strings as a length-prefixed UTF-8 (-1 for
 * null), lists as a count and their elements. An unknown tag, or a count or length that runs past the message, is
 * refused with an error rather than guessed at.
 */
final class DeployerMessageCodec implements MessageCodec<DeployerMessage, DeployerMessage> {
  static final String NAME = "eddy-deployer-message";

  private static final byte SUBMIT = 1;
  private static final byte CANCEL = 2;
  private static final byte SAVEPOINT = 3;
  private static final byte RESCALE = 4;
  private static final byte DRAIN = 5;
  private static final byte DEPLOY = 20;
  private static final byte UNDEPLOY = 21;

  @Override
  public void encodeToWire(Buffer b, DeployerMessage m) {
    // Java 17: no pattern matching in switch yet
    if (m instanceof JobRequest.Submit s) {
      string(string(b.appendByte(SUBMIT), s.jobJson()), s.fromSavepoint());
    } else if (m instanceof JobRequest.Cancel c) {
      string(b.appendByte(CANCEL), c.jobId());
    } else if (m instanceof JobRequest.TakeSavepoint s) {
      string(string(b.appendByte(SAVEPOINT), s.jobId()), s.directory()).appendByte((byte) (s.stop() ? 1 : 0));
    } else if (m instanceof JobRequest.Rescale r) {
      string(b.appendByte(RESCALE), r.jobId()).appendInt(r.parallelism());
    } else if (m instanceof JobRequest.Drain d) {
      string(b.appendByte(DRAIN), d.nodeId());
    } else if (m instanceof NodeRequest.Deploy d) {
      string(string(string(b.appendByte(DEPLOY), d.jobId()).appendInt(d.attempt()), d.jobJson()), d.source());
      WireFields.appendStrings(b, d.slots());
      b.appendInt(d.tasks().size());
      d.tasks().forEach(t -> b.appendInt(t.vertex()).appendInt(t.subtask()));
      string(b, d.restoreJson());
    } else if (m instanceof NodeRequest.Undeploy u) {
      string(b.appendByte(UNDEPLOY), u.jobId()).appendInt(u.attempt());
    } else {
      throw new IllegalArgumentException("not a deployer message: " + m);
    }
  }

  @Override
  public DeployerMessage decodeFromWire(int pos, Buffer buffer) {
    WireFields r = new WireFields(buffer, pos);
    byte tag = r.byteValue();
    return switch (tag) {
      case SUBMIT -> new JobRequest.Submit(r.string(), r.string());
      case CANCEL -> new JobRequest.Cancel(r.string());
      case SAVEPOINT -> new JobRequest.TakeSavepoint(r.string(), r.string(), r.flag());
      case RESCALE -> new JobRequest.Rescale(r.string(), r.intValue());
      case DRAIN -> new JobRequest.Drain(r.string());
      case DEPLOY -> {
        String jobId = r.string();
        int attempt = r.intValue();
        String job = r.string();
        String source = r.string();
        List<String> slots = r.strings();
        int m = r.count(8);
        List<NodeRequest.Subtask> tasks = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
          tasks.add(new NodeRequest.Subtask(r.intValue(), r.intValue()));
        }
        yield new NodeRequest.Deploy(jobId, attempt, job, source, slots, tasks, r.string());
      }
      case UNDEPLOY -> new NodeRequest.Undeploy(r.string(), r.intValue());
      default -> throw new IllegalArgumentException("unknown deployer message tag " + tag + " at byte " + pos);
    };
  }

  @Override
  public DeployerMessage transform(DeployerMessage m) {
    return m; // immutable records
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private static Buffer string(Buffer b, String s) {
    return WireFields.appendString(b, s);
  }
}
