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
      case VALUE, REDUCING, AGGREGATING -> new HeapValueCell(info);
      case LIST -> new HeapListState(info);
      case MAP -> new HeapMapState(info);
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

  /** A value with the time it was last written (or read, with refresh on read). */
  private static final class TtlValue {
    final Object value;
    long stamp;

    TtlValue(Object value, long stamp) {
      this.value = value;
      this.stamp = stamp;
    }
  }

  /** One state: a map from key to stored form per key group, created on first write. */
  private abstract class HeapState {
    final StateInfo info;
    @SuppressWarnings("unchecked")
    final Map<Object, Object>[] byKeyGroup = new Map[lastKeyGroup - firstKeyGroup + 1];

    HeapState(StateInfo info) {
      this.info = info;
    }

    final Object stored() {
      requireKey();
      Map<Object, Object> m = byKeyGroup[currentKeyGroup - firstKeyGroup];
      return m == null ? null : m.get(currentKey);
    }

    final void putStored(Object o) {
      requireKey();
      int i = currentKeyGroup - firstKeyGroup;
      Map<Object, Object> m = byKeyGroup[i];
      if (m == null) {
        m = byKeyGroup[i] = new HashMap<>();
      }
      m.put(currentKey, o);
    }

    final void removeStored() {
      requireKey();
      Map<Object, Object> m = byKeyGroup[currentKeyGroup - firstKeyGroup];
      if (m != null) {
        m.remove(currentKey);
      }
    }

    final Object wrap(Object value, long now) {
      return info.hasTtl() ? new TtlValue(value, now) : value;
    }

    final long now() {
      return info.hasTtl() ? clock.currentTimeMillis() : 0L;
    }

    /** The value of a value-like state, dropping it if expired, refreshing it if so configured. */
    final Object readValue() {
      Object s = stored();
      if (s == null || !info.hasTtl()) {
        return s;
      }
      TtlValue t = (TtlValue) s;
      long now = clock.currentTimeMillis();
      if (info.expired(t.stamp, now)) {
        removeStored();
        return null;
      }
      if (info.refreshOnRead) {
        t.stamp = now;
      }
      return t.value;
    }

    final void writeValue(Object value) {
      putStored(wrap(value, now()));
    }

    /** Writes the entries of key group {@code kg} (not expired at {@code now}); returns their count. */
    final int write(int kg, DataWriter out, long now) {
      Map<Object, Object> m = byKeyGroup[kg - firstKeyGroup];
      if (m == null || m.isEmpty()) {
        return 0;
      }
      int n = 0;
      Serde<Object> keys = keySerde();
      for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Object, Object> e = it.next();
        if (info.hasTtl() && !prune(e.getValue(), now)) {
          it.remove();
          continue;
        }
        keys.write(e.getKey(), out);
        writeBody(e.getValue(), out);
        n++;
      }
      return n;
    }

    /** Reads a block written by {@link #write} into key group {@code kg}. */
    final void read(int kg, DataReader in) {
      int n = in.readInt();
      int i = kg - firstKeyGroup;
      Map<Object, Object> m = byKeyGroup[i];
      if (m == null) {
        m = byKeyGroup[i] = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
      }
      Serde<Object> keys = keySerde();
      for (int j = 0; j < n; j++) {
        Object key = keys.read(in);
        m.put(key, readBody(in));
      }
    }

    final int count() {
      int n = 0;
      for (Map<Object, Object> m : byKeyGroup) {
        if (m != null) {
          for (Object stored : m.values()) {
            n += size(stored);
          }
        }
      }
      return n;
    }

    /** Drops expired parts of a stored form; false if nothing is left. */
    boolean prune(Object stored, long now) {
      return !info.expired(((TtlValue) stored).stamp, now);
    }

    /** Entries a stored form counts as (for tests). */
    int size(Object stored) {
      return 1;
    }

    void writeBody(Object stored, DataWriter out) {
      if (info.hasTtl()) {
        TtlValue t = (TtlValue) stored;
        out.writeLong(t.stamp);
        info.valueSerde.write(t.value, out);
      } else {
        info.valueSerde.write(stored, out);
      }
    }

    Object readBody(DataReader in) {
      if (info.hasTtl()) {
        long stamp = in.readLong();
        return new TtlValue(info.valueSerde.read(in), stamp);
      }
      return info.valueSerde.read(in);
    }
  }

  /** The stored value of value, reducing and aggregating state. */
  private final class HeapValueCell extends HeapState implements SingleValueStates.Cell {
    HeapValueCell(StateInfo info) {
      super(info);
    }

    @Override
    public Object read() {
      return readValue();
    }

    @Override
    public void write(Object value) {
      writeValue(value);
    }

    @Override
    public void remove() {
      removeStored();
    }
  }

  private final class HeapListState extends HeapState implements ListState<Object> {
    HeapListState(StateInfo info) {
      super(info);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list() {
      return (List<Object>) stored();
    }

    @Override
    public Iterable<Object> get() {
      List<Object> list = list();
      if (list == null) {
        return List.of();
      }
      if (!info.hasTtl()) {
        return new ArrayList<>(list);
      }
      long now = clock.currentTimeMillis();
      list.removeIf(o -> info.expired(((TtlValue) o).stamp, now));
      if (list.isEmpty()) {
        removeStored();
        return List.of();
      }
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        TtlValue t = (TtlValue) o;
        if (info.refreshOnRead) {
          t.stamp = now;
        }
        out.add(t.value);
      }
      return out;
    }

    @Override
    public void add(Object value) {
      if (value == null) {
        throw new NullPointerException("state '" + info.name + "': cannot add null to a list state");
      }
      List<Object> list = list();
      if (list == null) {
        list = new ArrayList<>(4);
        putStored(list);
      }
      list.add(wrap(value, now()));
    }

    @Override
    public void addAll(List<Object> values) {
      if (values == null || values.isEmpty()) {
        return;
      }
      List<Object> wrapped = wrapAll(values);
      List<Object> list = list();
      if (list == null) {
        putStored(wrapped);
      } else {
        list.addAll(wrapped);
      }
    }

    @Override
    public void update(List<Object> values) {
      if (values == null || values.isEmpty()) {
        clear();
        return;
      }
      putStored(wrapAll(values));
    }

    private List<Object> wrapAll(List<Object> values) {
      long now = now();
      List<Object> out = new ArrayList<>(values.size());
      for (Object v : values) {
        if (v == null) {
          throw new NullPointerException("state '" + info.name + "': a list state cannot hold null elements");
        }
        out.add(wrap(v, now));
      }
      return out;
    }

    @Override
    public void clear() {
      removeStored();
    }

    @Override
    @SuppressWarnings("unchecked")
    boolean prune(Object stored, long now) {
      List<Object> list = (List<Object>) stored;
      list.removeIf(o -> info.expired(((TtlValue) o).stamp, now));
      return !list.isEmpty();
    }

    @Override
    int size(Object stored) {
      return ((List<?>) stored).size();
    }

    @Override
    void writeBody(Object stored, DataWriter out) {
      List<?> list = (List<?>) stored;
      out.writeVarInt(list.size());
      for (Object o : list) {
        if (info.hasTtl()) {
          TtlValue t = (TtlValue) o;
          out.writeLong(t.stamp);
          info.valueSerde.write(t.value, out);
        } else {
          info.valueSerde.write(o, out);
        }
      }
    }

    @Override
    Object readBody(DataReader in) {
      int n = in.readVarInt();
      List<Object> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (info.hasTtl()) {
          long stamp = in.readLong();
          list.add(new TtlValue(info.valueSerde.read(in), stamp));
        } else {
          list.add(info.valueSerde.read(in));
        }
      }
      return list;
    }
  }

  private final class HeapMapState extends HeapState implements MapState<Object, Object> {
    HeapMapState(StateInfo info) {
      super(info);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map() {
      return (Map<Object, Object>) stored();
    }

    private Object requireMapKey(Object key) {
      if (key == null) {
        throw new NullPointerException("state '" + info.name + "': map state keys must not be null");
      }
      return key;
    }

    /** The stored form of {@code key}'s entry, null if absent or expired. */
    private Object lookup(Object key) {
      requireMapKey(key);
      Map<Object, Object> m = map();
      if (m == null) {
        return null;
      }
      if (!info.hasTtl()) {
        return m.containsKey(key) ? m.get(key) : null;
      }
      TtlValue t = (TtlValue) m.get(key);
      if (t == null) {
        return null;
      }
      long now = clock.currentTimeMillis();
      if (info.expired(t.stamp, now)) {
        m.remove(key);
        if (m.isEmpty()) {
          removeStored();
        }
        return null;
      }
      if (info.refreshOnRead) {
        t.stamp = now;
      }
      return t;
    }

    @Override
    public Object get(Object key) {
      Object s = lookup(key);
      return s instanceof TtlValue t ? t.value : s;
    }

    @Override
    public boolean contains(Object key) {
      requireMapKey(key);
      if (!info.hasTtl()) {
        Map<Object, Object> m = map();
        return m != null && m.containsKey(key);
      }
      return lookup(key) != null;
    }

    @Override
    public void put(Object key, Object value) {
      requireMapKey(key);
      Map<Object, Object> m = map();
      if (m == null) {
        m = new HashMap<>();
        putStored(m);
      }
      m.put(key, wrap(value, now()));
    }

    @Override
    public void putAll(Map<Object, Object> map) {
      if (map == null || map.isEmpty()) {
        return;
      }
      for (Object k : map.keySet()) {
        requireMapKey(k);
      }
      Map<Object, Object> m = map();
      if (m == null) {
        m = new HashMap<>();
        putStored(m);
      }
      long now = now();
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        m.put(e.getKey(), wrap(e.getValue(), now));
      }
    }

    @Override
    public void remove(Object key) {
      requireMapKey(key);
      Map<Object, Object> m = map();
      if (m != null) {
        m.remove(key);
        if (m.isEmpty()) {
          removeStored();
        }
      }
    }

    /** A copy of the live entries, after dropping expired ones and refreshing the rest if configured. */
    private List<Map.Entry<Object, Object>> live() {
      Map<Object, Object> m = map();
      if (m == null) {
        return List.of();
      }
      List<Map.Entry<Object, Object>> out = new ArrayList<>(m.size());
      if (!info.hasTtl()) {
        for (Map.Entry<Object, Object> e : m.entrySet()) {
          out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return out;
      }
      long now = clock.currentTimeMillis();
      for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Object, Object> e = it.next();
        TtlValue t = (TtlValue) e.getValue();
        if (info.expired(t.stamp, now)) {
          it.remove();
          continue;
        }
        if (info.refreshOnRead) {
          t.stamp = now;
        }
        out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), t.value));
      }
      if (m.isEmpty()) {
        removeStored();
      }
      return out;
    }

    @Override
    public Iterable<Map.Entry<Object, Object>> entries() {
      return live();
    }

    @Override
    public Iterable<Object> keys() {
      List<Map.Entry<Object, Object>> es = live();
      List<Object> out = new ArrayList<>(es.size());
      es.forEach(e -> out.add(e.getKey()));
      return out;
    }

    @Override
    public Iterable<Object> values() {
      List<Map.Entry<Object, Object>> es = live();
      List<Object> out = new ArrayList<>(es.size());
      es.forEach(e -> out.add(e.getValue()));
      return out;
    }

    @Override
    public boolean isEmpty() {
      Map<Object, Object> m = map();
      if (m == null) {
        return true;
      }
      if (info.hasTtl()) {
        long now = clock.currentTimeMillis();
        m.values().removeIf(o -> info.expired(((TtlValue) o).stamp, now));
        if (m.isEmpty()) {
          removeStored();
        }
      }
      return m.isEmpty();
    }

    @Override
    public void clear() {
      removeStored();
    }

    @Override
    @SuppressWarnings("unchecked")
    boolean prune(Object stored, long now) {
      Map<Object, Object> m = (Map<Object, Object>) stored;
      m.values().removeIf(o -> info.expired(((TtlValue) o).stamp, now));
      return !m.isEmpty();
    }

    @Override
    int size(Object stored) {
      return ((Map<?, ?>) stored).size();
    }

    @Override
    void writeBody(Object stored, DataWriter out) {
      Map<?, ?> m = (Map<?, ?>) stored;
      out.writeVarInt(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        info.mapKeySerde.write(e.getKey(), out);
        Object v = e.getValue();
        if (info.hasTtl()) {
          TtlValue t = (TtlValue) v;
          out.writeLong(t.stamp);
          v = t.value;
        }
        if (v == null) {
          out.writeByte(0);
        } else {
          out.writeByte(1);
          info.valueSerde.write(v, out);
        }
      }
    }

    @Override
    Object readBody(DataReader in) {
      int n = in.readVarInt();
      Map<Object, Object> m = new HashMap<>(Math.max(4, n * 4 / 3 + 1));
      for (int i = 0; i < n; i++) {
        Object k = info.mapKeySerde.read(in);
        long stamp = info.hasTtl() ? in.readLong() : 0L;
        Object v = in.readBoolean() ? info.valueSerde.read(in) : null;
        m.put(k, info.hasTtl() ? new TtlValue(v, stamp) : v);
      }
      return m;
    }
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
