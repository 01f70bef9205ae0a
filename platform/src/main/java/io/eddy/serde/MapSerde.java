package io.eddy.serde;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A map as varint size followed by key, value pairs in the map's iteration order; reads back a
 * {@link HashMap}. Thread-safe if the key and value serdes are. The map must not be {@code null};
 * keys and values may be {@code null} only if their serdes accept null.
 */
final class MapSerde<K, V> implements Serde<Map<K, V>> {

    private final Serde<K> key;
    private final Serde<V> value;
    private final String id;

    MapSerde(Serde<K> key, Serde<V> value) {
        this.key = Objects.requireNonNull(key, "key serde");
        this.value = Objects.requireNonNull(value, "value serde");
        this.id = "eddy.map<" + key.id() + "," + value.id() + ">:" + version();
    }

    @Override
    public void write(Map<K, V> map, DataWriter out) {
        out.writeVarInt(map.size());
        int written = 0;
        for (Map.Entry<K, V> e : map.entrySet()) {
            key.write(e.getKey(), out);
            value.write(e.getValue(), out);
            written++;
        }
        if (written != map.size()) {
            throw new SerdeException("Map changed size while being written: " + written + " entries, size " + map.size());
        }
    }

    @Override
    public Map<K, V> read(DataReader in) {
        int n = in.readVarInt();
        if (n < 0) {
            throw new SerdeException("Corrupt input: map size " + Integer.toUnsignedString(n)
                    + " before position " + in.position());
        }
        int expected = Math.min(n, in.remaining());
        Map<K, V> map = new HashMap<>((int) (expected / 0.75f) + 1);
        for (int i = 0; i < n; i++) {
            K k = key.read(in);
            map.put(k, value.read(in));
        }
        return map;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
