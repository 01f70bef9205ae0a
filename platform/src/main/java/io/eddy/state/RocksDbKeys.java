package io.eddy.state;

import java.util.Arrays;

/**
 * Byte layout shared by everything the RocksDB backend stores: every RocksDB key starts with its
 * key group (2 bytes, big-endian, so a key group is one contiguous key range, which is what
 * rescaling copies); longs are big-endian; times in keys have their sign bit flipped, so that byte
 * order is time order.
 */
final class RocksDbKeys {
  private RocksDbKeys() {}

  static int keyGroup(byte[] key) {
    return ((key[0] & 0xFF) << 8) | (key[1] & 0xFF);
  }

  static byte[] keyGroupPrefix(int keyGroup) {
    return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
  }

  static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }

  static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The smallest byte string greater than every string starting with {@code prefix}, or null. */
  static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] s = Arrays.copyOf(prefix, i + 1);
        s[i]++;
        return s;
      }
    }
    return null;
  }
}
