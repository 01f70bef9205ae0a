package io.eddy.state;

import io.eddy.api.state.AggregatingState;
import io.eddy.api.state.AggregatingStateDescriptor;
import io.eddy.api.state.ListState;
import io.eddy.api.state.ListStateDescriptor;
import io.eddy.api.state.MapState;
import io.eddy.api.state.MapStateDescriptor;
import io.eddy.api.state.ReducingState;
import io.eddy.api.state.ReducingStateDescriptor;
import io.eddy.api.state.StateDescriptor;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.checkpoint.SnapshotTarget;
import io.eddy.serde.Serde;
import io.eddy.serde.SerdeRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the heap and RocksDB backends share: the current key and its key group, the key serde, the
 * registry of states by name, and the checks of restored state against the descriptors.
 *
 * <p><b>Key serde.</b> Keys are serialized with one serde per backend: the one given to the
 * constructor, else the one recorded by the snapshot restored from, else the one the serde registry
 * gives for the class of the first key (for final classes, records and enums; other classes get the
 * dynamic serde, which writes each key's class name), resolved when first needed (the heap backend
 * needs it only for snapshots). Unless a serde was given, a key of another class than the first
 * fails {@link #setCurrentKey} naming the operator. Keys must be serialized deterministically
 * (equal keys, equal bytes) for the RocksDB backend.
 *
 * <p>Confined to the task's event loop, as {@link KeyedStateBackend} says.
 */
public abstract class AbstractKeyedStateBackend implements KeyedStateBackend {
  protected final String operatorName;
  protected final int maxParallelism;
  protected final int firstKeyGroup;
  protected final int lastKeyGroup;
  protected final SerdeRegistry serdes;
  protected TtlClock clock = TtlClock.SYSTEM;

  protected Object currentKey;
  protected int currentKeyGroup = -1;

  /** Null until known: explicit, restored, or resolved from {@link #keyClass} when first needed. */
  private Serde<Object> keySerde;
  /** The class all keys have (from the first key or the snapshot restored), or null. */
  private Class<?> keyClass;
  /** Whether the keys are serialized with the dynamic serde (their class is not final). */
  private boolean dynamicKeys;
  private Class<?> lastKeyClass;

  private final Map<String, Object> states = new HashMap<>();
  protected final Map<String, StateInfo> infos = new LinkedHashMap<>();

  @SuppressWarnings("unchecked")
  protected AbstractKeyedStateBackend(String operatorName, int maxParallelism, int firstKeyGroup, int lastKeyGroup,
      SerdeRegistry serdes, Serde<?> keySerde) {
    this.operatorName = Objects.requireNonNull(operatorName, "operatorName");
    if (maxParallelism < 1 || maxParallelism > 32768) {
      throw new IllegalArgumentException("maxParallelism must be in 1..32768, got " + maxParallelism);
    }
    if (firstKeyGroup < 0 || lastKeyGroup < firstKeyGroup || lastKeyGroup >= maxParallelism) {
      throw new IllegalArgumentException("bad key-group range " + firstKeyGroup + ".." + lastKeyGroup
          + " for maxParallelism " + maxParallelism);
    }
    this.maxParallelism = maxParallelism;
    this.firstKeyGroup = firstKeyGroup;
    this.lastKeyGroup = lastKeyGroup;
    this.serdes = serdes == null ? SerdeRegistry.withBuiltIns() : serdes;
    this.keySerde = (Serde<Object>) keySerde;
  }

  /** Replaces the clock state time-to-live is measured with (for tests); call before use. */
  public void setTtlClock(TtlClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String operatorName() {
    return operatorName;
  }

  public int firstKeyGroup() {
    return firstKeyGroup;
  }

  public int lastKeyGroup() {
    return lastKeyGroup;
  }

  // ---------------------------------------------------------------- current key

  @Override
  public void setCurrentKey(Object key) {
    if (key == null) {
      throw new NullPointerException("operator '" + operatorName + "': the key must not be null");
    }
    int kg = KeyGroups.keyGroupOf(key, maxParallelism);
    if (kg < firstKeyGroup || kg > lastKeyGroup) {
      throw new IllegalStateException(
          "operator '" + operatorName + "': key '" + key + "' is in key group " + kg
              + ", outside this subtask's range " + firstKeyGroup + ".." + lastKeyGroup
              + " (is the key selector deterministic?)");
    }
    Class<?> c = key.getClass();
    if (c != lastKeyClass) {
      checkKeyClass(key);
      lastKeyClass = c;
    }
    currentKey = key;
    currentKeyGroup = kg;
    onKeyChanged();
  }

  /** Called after every {@link #setCurrentKey}. */
  protected void onKeyChanged() {}

  private void checkKeyClass(Object key) {
    Class<?> c = normalized(key);
    if (keySerde == null && keyClass == null && !dynamicKeys) { // the first key
      if (c.isEnum() || c.isRecord() || c.isArray() || Modifier.isFinal(c.getModifiers())) {
        keyClass = c;
      } else {
        dynamicKeys = true;
      }
      return;
    }
    if (keyClass != null && c != keyClass) {
      throw new IllegalStateException("operator '" + operatorName + "': key '" + key + "' is a " + c.getName()
          + " but this operator's keys are " + keyClass.getName()
          + "; a key selector must return keys of one class");
    }
  }

  /**
   * The serde of the keys, resolved when first needed (so that keys without a serde work until a
   * snapshot needs one); null while no key was seen.
   */
  @SuppressWarnings("unchecked")
  protected final Serde<Object> keySerde() {
    if (keySerde == null) {
      try {
        if (keyClass != null) {
          keySerde = (Serde<Object>) serdes.forClass(keyClass);
        } else if (dynamicKeys) {
          keySerde = dynamicSerde();
        }
      } catch (RuntimeException e) {
        throw new IllegalStateException("operator '" + operatorName + "': cannot serialize keys of "
            + keyClass.getName() + ": " + e.getMessage(), e);
      }
    }
    return keySerde;
  }

  private static Class<?> normalized(Object key) {
    return key instanceof Enum<?> e ? e.getDeclaringClass() : key.getClass();
  }

  @SuppressWarnings("unchecked")
  private Serde<Object> dynamicSerde() {
    return (Serde<Object>) serdes.forClass(Object.class);
  }

  @Override
  public Object currentKey() {
    return currentKey;
  }

  @Override
  public int currentKeyGroup() {
    return currentKeyGroup;
  }

  /** Fails unless a key was set. */
  protected final void requireKey() {
    if (currentKey == null) {
      throw new IllegalStateException("operator '" + operatorName
          + "': keyed state is accessed without a current key (only inside processing of a keyed record or timer)");
    }
  }

  // ---------------------------------------------------------------- registration

  @Override
  @SuppressWarnings("unchecked")
  public final <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
    return (ValueState<T>) register(descriptor, StateKind.VALUE);
  }

  @Override
  @SuppressWarnings("unchecked")
  public final <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
    return (ListState<T>) register(descriptor, StateKind.LIST);
  }

  @Override
  @SuppressWarnings("unchecked")
  public final <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) {
    return (MapState<K, V>) register(descriptor, StateKind.MAP);
  }

  @Override
  @SuppressWarnings("unchecked")
  public final <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
    return (ReducingState<T>) register(descriptor, StateKind.REDUCING);
  }

  @Override
  @SuppressWarnings("unchecked")
  public final <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
      AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
    return (AggregatingState<IN, OUT>) register(descriptor, StateKind.AGGREGATING);
  }

  private Object register(StateDescriptor<?> descriptor, StateKind kind) {
    Objects.requireNonNull(descriptor, "descriptor");
    String name = descriptor.name();
    Object existing = states.get(name);
    StateInfo info = StateInfo.of(descriptor, kind, serdes);
    if (existing != null) {
      StateInfo old = infos.get(name);
      if (old.kind != kind) {
        throw new IllegalStateException("operator '" + operatorName + "': state '" + name + "' is a "
            + old.kind.jsonName() + " state, asked for as a " + kind.jsonName() + " state");
      }
      if (!old.valueSerdeId().equals(info.valueSerdeId())) {
        throw new IllegalStateException("operator '" + operatorName + "': state '" + name + "' is stored as "
            + old.valueSerdeId() + ", asked for as " + info.valueSerdeId());
      }
      return existing;
    }
    Object state = createState(info);
    infos.put(name, info);
    states.put(name, state);
    return state;
  }

  /**
   * Creates the state object of a newly registered state; if restored state of that name is waiting,
   * checks it with {@link #checkCompatible} and takes it over.
   */
  protected abstract Object createState(StateInfo info);

  // ---------------------------------------------------------------- snapshot metadata

  /** What a handle records of a registered state. */
  protected JsonObject metaOf(StateInfo info) {
    return new JsonObject()
        .put("kind", info.kind.jsonName())
        .put("serde", (keySerde() == null ? "" : keySerde().id()) + "|" + info.valueSerdeId())
        .put("ttl", info.hasTtl());
  }

  /** The common part of a handle: backend, key groups, key serde. */
  protected JsonObject handleBase(String backend) {
    JsonObject h = new JsonObject()
        .put("backend", backend)
        .put("operator", operatorName)
        .put("keyGroups", new JsonArray().add(firstKeyGroup).add(lastKeyGroup));
    if (keySerde() != null) {
      h.put("keySerde", keySerde().id());
      if (keyClass != null) {
        h.put("keyClass", keyClass.getName());
      }
    }
    return h;
  }

  /**
   * Fails unless restored state written as {@code written} (a handle's state entry) can be read with
   * {@code info}: same kind, same serde identities, TTL on both sides or on neither.
   */
  protected void checkCompatible(StateInfo info, JsonObject written) {
    String wKind = written.getString("kind");
    if (!info.kind.jsonName().equals(wKind)) {
      throw new IllegalStateException("operator '" + operatorName + "': state '" + info.name
          + "' was written as a " + wKind + " state but is now read as a " + info.kind.jsonName() + " state");
    }
    String serde = written.getString("serde", "|");
    int bar = serde.indexOf('|');
    String wKey = bar < 0 ? "" : serde.substring(0, bar);
    String wValue = bar < 0 ? serde : serde.substring(bar + 1);
    if (!wValue.equals(info.valueSerdeId())) {
      throw new IllegalStateException("operator '" + operatorName + "': state '" + info.name + "' was written as "
          + wValue + " but is now read as " + info.valueSerdeId());
    }
    if (!wKey.isEmpty() && keySerde() != null && !wKey.equals(keySerde().id())) {
      throw new IllegalStateException("operator '" + operatorName + "': the keys of state '" + info.name
          + "' were written as " + wKey + " but are now read as " + keySerde().id());
    }
    boolean wTtl = written.getBoolean("ttl", false);
    if (wTtl != info.hasTtl()) {
      throw new IllegalStateException("operator '" + operatorName + "': state '" + info.name + "' was written "
          + (wTtl ? "with" : "without") + " a time-to-live but is now read " + (info.hasTtl() ? "with" : "without")
          + " one");
    }
  }

  // ---------------------------------------------------------------- restore helpers

  /** The handles whose key groups intersect this backend's range. */
  protected List<JsonObject> relevant(List<JsonObject> handles, String backend) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject h : handles) {
      if (h == null) {
        continue;
      }
      JsonArray kg = h.getJsonArray("keyGroups");
      if (kg == null || kg.getInteger(1) < firstKeyGroup || kg.getInteger(0) > lastKeyGroup) {
        continue;
      }
      String b = h.getString("backend");
      if (!backend.equals(b)) {
        throw new IllegalStateException("operator '" + operatorName + "': the checkpoint holds a '" + b
            + "' state snapshot, which the " + backend + " state backend cannot restore;"
            + " restore with \"stateBackend\": \"" + b + "\"");
      }
      out.add(h);
    }
    return out;
  }

  /** Takes the key serde the handles recorded, checking it against a configured one. */
  @SuppressWarnings("unchecked")
  protected void restoreKeySerde(List<JsonObject> handles) {
    String id = null;
    String cls = null;
    for (JsonObject h : handles) {
      String hid = h.getString("keySerde");
      if (hid == null) {
        continue; // an empty snapshot
      }
      if (id != null && !id.equals(hid)) {
        throw new IllegalStateException("operator '" + operatorName + "': the restored snapshots wrote keys as "
            + id + " and as " + hid);
      }
      id = hid;
      cls = h.getString("keyClass");
    }
    if (id == null) {
      return;
    }
    if (keySerde != null) {
      if (!keySerde.id().equals(id)) {
        throw new IllegalStateException("operator '" + operatorName + "': keys were written as " + id
            + " but are now read as " + keySerde.id());
      }
      return;
    }
    Serde<Object> restored;
    Class<?> c = null;
    if (cls != null) {
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        c = serdes.resolve(cls, loader != null ? loader : getClass().getClassLoader(),
            "operator '" + operatorName + "': snapshot key class");
      } catch (io.eddy.serde.SerdeException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      restored = (Serde<Object>) serdes.forClass(c);
    } else {
      restored = dynamicSerde();
    }
    if (!restored.id().equals(id)) {
      throw new IllegalStateException("operator '" + operatorName + "': keys were written as " + id
          + " but are now read as " + restored.id()
          + (cls == null ? " (pass the key serde the snapshot was written with)" : ""));
    }
    keySerde = restored;
    keyClass = c;
    dynamicKeys = c == null;
    lastKeyClass = null;
  }

  /** The per-state metadata of all handles, checking that they agree. */
  protected Map<String, JsonObject> restoredStates(List<JsonObject> handles) {
    Map<String, JsonObject> metas = new LinkedHashMap<>();
    for (JsonObject h : handles) {
      JsonObject states = h.getJsonObject("states", new JsonObject());
      for (String name : states.fieldNames()) {
        JsonObject m = states.getJsonObject(name);
        JsonObject prev = metas.putIfAbsent(name, m);
        if (prev != null && !(prev.getString("kind").equals(m.getString("kind"))
            && valuePart(prev).equals(valuePart(m)) && prev.getBoolean("ttl", false) == m.getBoolean("ttl", false))) {
          throw new IllegalStateException("operator '" + operatorName + "': the restored snapshots disagree on state '"
              + name + "': " + prev.encode() + " and " + m.encode());
        }
      }
    }
    return metas;
  }

  private static String valuePart(JsonObject meta) {
    String s = meta.getString("serde", "|");
    return s.substring(s.indexOf('|') + 1);
  }

  /**
   * The job's checkpoint root, from which handles name files: the parent of the shared directory
   * (checkpoint storage lays out {@code <root>/shared} and {@code <root>/chk-<n>/...}).
   */
  protected static Path checkpointRoot(SnapshotTarget target) {
    Path root = target.sharedDirectory().toAbsolutePath().getParent();
    if (root == null) {
      throw new IllegalStateException("the shared directory " + target.sharedDirectory() + " has no parent");
    }
    return root;
  }

  /** A path relative to the root, with '/' separators. */
  protected static String relative(Path root, Path file) {
    return root.relativize(file.toAbsolutePath()).toString().replace(java.io.File.separatorChar, '/');
  }

  /** {@code name} reduced to characters safe in a file name. */
  protected static String fileSafe(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_.-]", "_");
    return s.length() > 40 ? s.substring(0, 40) : s;
  }

  /** Deletes a directory tree, if it exists. */
  protected static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
