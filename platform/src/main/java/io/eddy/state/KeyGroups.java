package io.eddy.state;

/**
 * The arithmetic of key groups. A key belongs to key group
 * {@code murmur(key.hashCode()) mod maxParallelism}; subtask {@code i} of {@code p} owns the
 * contiguous range of key groups {@link #rangeStart}..{@link #rangeEnd} (inclusive), so state can
 * be split by key group when the parallelism changes.
 */
public final class KeyGroups {
  private KeyGroups() {}

  public static int keyGroupOf(Object key, int maxParallelism) {
    return Math.floorMod(murmurMix(key.hashCode()), maxParallelism);
  }

  /** The subtask of {@code parallelism} that owns {@code keyGroup}. */
  public static int subtaskOf(int keyGroup, int maxParallelism, int parallelism) {
    return keyGroup * parallelism / maxParallelism;
  }

  public static int rangeStart(int subtask, int maxParallelism, int parallelism) {
    return (subtask * maxParallelism + parallelism - 1) / parallelism;
  }

  public static int rangeEnd(int subtask, int maxParallelism, int parallelism) {
    return ((subtask + 1) * maxParallelism + parallelism - 1) / parallelism - 1;
  }

  /** MurmurHash3's 32-bit finalizer: spreads poor hash codes (small integers) over all bits. */
  static int murmurMix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
