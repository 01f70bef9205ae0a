package io.eddy.checkpoint;

import io.eddy.serde.DataReader;
import io.eddy.serde.DataWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * State an operator keeps in its own structures (timers, window buckets), written as one byte
 * section per key group so that a restore can take exactly the key groups of a new subtask.
 * File layout: section count, then for each section its key group, length and bytes.
 */
public final class KeyGroupSections {
  private final TreeMap<Integer, DataWriter> sections = new TreeMap<>();

  /** The writer of a key group's section, created on first use. */
  public DataWriter section(int keyGroup) {
    return sections.computeIfAbsent(keyGroup, k -> new DataWriter(256));
  }

  public boolean isEmpty() {
    return sections.isEmpty();
  }

  /** Copies the sections into one byte array (on the event loop), to be written later. */
  public byte[] toBytes() {
    DataWriter out = new DataWriter(1024);
    out.writeVarInt(sections.size());
    for (Map.Entry<Integer, DataWriter> e : sections.entrySet()) {
      out.writeVarInt(e.getKey());
      out.writeVarInt(e.getValue().size());
      out.writeBytes(e.getValue().array(), 0, e.getValue().size());
    }
    return out.toByteArray();
  }

  /** Hands every section of {@code file} whose key group is in {@code [first, last]} to {@code reader}. */
  public static void read(Path file, int first, int last, BiConsumer<Integer, DataReader> reader) throws IOException {
    read(Files.readAllBytes(file), first, last, reader);
  }

  /** Hands every section of {@code bytes} (as {@link #toBytes} made them) in {@code [first, last]} to {@code reader}. */
  public static void read(byte[] bytes, int first, int last, BiConsumer<Integer, DataReader> reader) {
    DataReader in = new DataReader(bytes);
    int n = in.readVarInt();
    for (int i = 0; i < n; i++) {
      int kg = in.readVarInt();
      int len = in.readVarInt();
      int start = in.position();
      if (kg >= first && kg <= last) {
        reader.accept(kg, new DataReader(bytes, start, start + len));
      }
      in.skip(len);
    }
  }
}
