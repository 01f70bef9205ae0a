package io.eddy.state;

import io.eddy.api.state.ListState;
import io.eddy.api.state.MapState;
import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Keyed state in hash maps, one map per key group and state, so a snapshot or a rescale can take
 * whole key groups. Confined to the task's event-loop thread (see {@link KeyedStateBackend}).
 *
 * <p>Values are held as objects: a value read from the state is the object stored, so a change to
 * it is visible without writing it back (unlike with RocksDB: write changes back anyway).
 *
 * <p><b>Snapshot.</b> The synchronous part serializes every key group's entries with the serdes
 * (a deep copy, since jobs may keep changing the stored objects) and drops expired TTL entries on
 * the way; the asynchronous part writes one file under {@link SnapshotTarget#directory()}:
 * <pre>
 *   int magic "EDHY", int version 1, int sectionCount,
 *   sectionCount x (int keyGroup, long offset, int length),   -- the index, offsets from file start
 *   sections: varint stateCount, stateCount x (string name, varint length, state block)
 *   state block: int entryCount, entries
 *   entry: key, then by kind
 *     value, reducing, aggregating: [long stamp] value
 *     list:  varint n, n x ([long stamp] element)
 *     map:   varint n, n x (map key, [long stamp], byte present, [value])
 * </pre>
 * where {@code [long stamp]} (the last write or access, epoch millis) is present for states with a
 * TTL. The handle: {@code {"backend":"heap","file":...,"keyGroups":[a,b],"keySerde":...,
 * "keyClass":...,"states":{name:{"kind":...,"serde":"<key serde id>|<value serde id>","ttl":bool}}}}.
 *
 * <p><b>Restore</b> reads only the index and the sections of this backend's key groups, and keeps
 * each state's serialized blocks until the state is first asked for; then it checks the recorded
 * serde identities against the descriptor and deserializes. A state never asked for is written to
 * later snapshots as it was restored.
 */
public final class HeapKeyedStateBackend extends AbstractKeyedStateBackend {
  private static final int MAGIC = 0x45444859; // "EDHY"
  private static final int VERSION = 1;

  private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, HeapState> heapStates = new LinkedHashMap<>();
  /** Restored states not asked for yet: metadata and serialized blocks by key group. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  public HeapKeyedStateBackend(String operatorName, int maxParallelism, int firstKeyGroup, int lastKeyGroup) {
    this(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, SerdeRegistry.withBuiltIns());
  }

  public HeapKeyedStateBackend(String operatorName, int maxParallelism, int firstKeyGroup, int lastKeyGroup,
      SerdeRegistry serdes) {
    this(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, null);
  }

  /**
   * @param keySerde the serde of the keys, or {@code null} to choose it from the first key's class
   *     (see {@link AbstractKeyedStateBackend})
   */
  public HeapKeyedStateBackend(String operatorName, int maxParallelism, int firstKeyGroup, int lastKeyGroup,
      SerdeRegistry serdes, Serde<?> keySerde) {
    super(operatorName, maxParallelism, firstKeyGroup, lastKeyGroup, serdes, keySerde);
  }

  private record Pending(JsonObject meta, Map<Integer, byte[]> blocks) {}

  // ---------------------------------------------------------------- states

  @Override
  protected Object createState(StateInfo info) {
    HeapState s = switch (info.kind) {
      case VALUE, REDUCING, AGGREGATING -> new HeapValueCell(this, info);
      case LIST -> new HeapListState(this, info);
      case MAP -> new HeapMapState(this, info);
    };
    Pending p = pending.get(info.name);
    if (p != null) {
      checkCompatible(info, p.meta);
      pending.remove(info.name);
      try {
        p.blocks.forEach((kg, bytes) -> s.read(kg, new DataReader(bytes)));
      } catch (io.eddy.serde.SerdeException e) { // e.g. a value naming a class the job does not carry
        throw new IllegalStateException("operator '" + operatorName + "': restoring state '" + info.name + "': "
            + e.getMessage(), e);
      }
    }
    heapStates.put(info.name, s);
    return s instanceof HeapValueCell cell ? SingleValueStates.of(info, cell) : s;
  }

  // ---------------------------------------------------------------- snapshot

  @Override
  public AsyncSnapshot snapshot(SnapshotTarget target) {
    long now = clock.currentTimeMillis();
    TreeMap<Integer, byte[]> sections = new TreeMap<>();
    DataWriter block = new DataWriter(4096);
    DataWriter section = new DataWriter(4096);
    for (int kg = firstKeyGroup; kg <= lastKeyGroup; kg++) {
      List<String> names = new ArrayList<>();
      List<byte[]> blocks = new ArrayList<>();
      for (HeapState s : heapStates.values()) {
        block.reset();
        block.writeInt(0);
        int n = s.write(kg, block, now);
        if (n > 0) {
          block.putInt(0, n);
          names.add(s.info.name);
          blocks.add(block.toByteArray());
        }
      }
      for (Map.Entry<String, Pending> p : pending.entrySet()) {
        byte[] b = p.getValue().blocks.get(kg);
        if (b != null) {
          names.add(p.getKey());
          blocks.add(b);
        }
      }
      if (names.isEmpty()) {
        continue;
      }
      section.reset();
      section.writeVarInt(names.size());
      for (int i = 0; i < names.size(); i++) {
        section.writeString(names.get(i));
        section.writeVarInt(blocks.get(i).length);
        section.writeBytes(blocks.get(i));
      }
      sections.put(kg, section.toByteArray());
    }
    JsonObject handle = handleBase("heap");
    JsonObject states = new JsonObject();
    infos.values().forEach(info -> states.put(info.name, metaOf(info)));
    pending.forEach((name, p) -> states.put(name, p.meta.copy()));
    handle.put("states", states);
    String fileName = fileSafe(operatorName) + "-" + instanceId + ".heap";
    return () -> {
      Path dir = target.directory();
      Files.createDirectories(dir);
      Path file = dir.resolve(fileName);
      writeFile(file, sections);
      return handle.put("file", relative(checkpointRoot(target), file));
    };
  }

  private static void writeFile(Path file, TreeMap<Integer, byte[]> sections) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(sections.size());
      long offset = 12L + 16L * sections.size();
      for (Map.Entry<Integer, byte[]> e : sections.entrySet()) {
        out.writeInt(e.getKey());
        out.writeLong(offset);
        out.writeInt(e.getValue().length);
        offset += e.getValue().length;
      }
      for (byte[] b : sections.values()) {
        out.write(b);
      }
    }
  }

  // ---------------------------------------------------------------- restore

  @Override
  public void restore(List<JsonObject> handles, Path checkpointRoot) throws Exception {
    List<JsonObject> mine = relevant(handles, "heap");
    restoreKeySerde(mine);
    Map<String, JsonObject> metas = restoredStates(mine);
    // every recorded state, even without entries here, is checked when first asked for
    metas.forEach((name, meta) -> {
      if (!heapStates.containsKey(name)) {
        pending.putIfAbsent(name, new Pending(meta, new HashMap<>()));
      }
    });
    for (JsonObject h : mine) {
      Path file = checkpointRoot.resolve(h.getString("file"));
      readFile(file, (kg, bytes) -> {
        DataReader in = new DataReader(bytes);
        int n = in.readVarInt();
        for (int i = 0; i < n; i++) {
          String name = in.readString();
          int len = in.readVarInt();
          int start = in.position();
          in.skip(len);
          byte[] block = java.util.Arrays.copyOfRange(bytes, start, start + len);
          HeapState registered = heapStates.get(name);
          if (registered != null) { // restore after first use: not the contract, but harmless
            checkCompatible(registered.info, metas.get(name));
            registered.read(kg, new DataReader(block));
            continue;
          }
          JsonObject meta = metas.get(name);
          if (meta == null) {
            throw new IllegalStateException("operator '" + operatorName + "': snapshot " + file
                + " holds state '" + name + "' that its handle does not describe");
          }
          Pending p = pending.computeIfAbsent(name, k -> new Pending(meta, new HashMap<>()));
          if (p.blocks.put(kg, block) != null) {
            throw new IllegalStateException("operator '" + operatorName + "': key group " + kg + " of state '" + name
                + "' is in more than one restored snapshot");
          }
        }
      });
    }
  }

  private interface SectionReader {
    void accept(int keyGroup, byte[] bytes);
  }

  /** Reads the index of {@code file} and hands over the sections of this backend's key groups. */
  private void readFile(Path file, SectionReader reader) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = readFully(ch, 0, 12);
      if (header.getInt() != MAGIC) {
        throw new IOException(file + " is not a heap state snapshot");
      }
      int version = header.getInt();
      if (version != VERSION) {
        throw new IOException(file + ": unsupported heap snapshot version " + version);
      }
      int n = header.getInt();
      ByteBuffer index = readFully(ch, 12, 16 * n);
      for (int i = 0; i < n; i++) {
        int kg = index.getInt();
        long offset = index.getLong();
        int length = index.getInt();
        if (kg >= firstKeyGroup && kg <= lastKeyGroup) {
          reader.accept(kg, readFully(ch, offset, length).array());
        }
      }
    }
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new IOException("truncated heap state snapshot");
      }
    }
    b.flip();
    return b;
  }

  // ---------------------------------------------------------------- for tests

  /** Stored entries of a state (list elements and map entries counted singly), expired or not. */
  int rawEntryCount(String stateName) {
    HeapState s = heapStates.get(stateName);
    return s == null ? 0 : s.count();
  }

  /** Every key this backend holds state for, in any state. */
  java.util.Set<Object> keys() {
    java.util.Set<Object> keys = new java.util.HashSet<>();
    for (HeapState s : heapStates.values()) {
      for (Map<Object, Object> m : s.byKeyGroup) {
        if (m != null) {
          keys.addAll(m.keySet());
        }
      }
    }
    return keys;
  }
}
