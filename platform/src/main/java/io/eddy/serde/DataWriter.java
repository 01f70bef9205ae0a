package io.eddy.serde;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Growable byte-array output for serialized records.
 *
 * <p>Fixed-width numbers are big-endian. Variable-length integers are unsigned LEB128
 * ({@link #writeVarInt}, {@link #writeVarLong}); signed values that are usually small should
 * use the zig-zag forms. Strings are written as a varint of (UTF-8 byte length + 1), with
 * {@code 0} meaning {@code null}, followed by the UTF-8 bytes.
 *
 * <p>The writer has a write cursor ({@link #position()}) and a size (the highest byte written
 * since the last {@link #reset()}). Writes happen at the cursor; moving the cursor back with
 * {@link #position(int)} allows back-patching without losing what was written after it.
 * The backing array doubles when full.
 *
 * <p>Not thread-safe: one writer belongs to one task (thread) at a time. Intended to be
 * reused across records via {@link #reset()}, which keeps the backing array.
 */
public final class DataWriter {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private byte[] buf;
    private int pos;
    /** Highest end written before the cursor was last moved; size() is max(pos, mark). */
    private int mark;

    /** Creates a writer with a 64-byte initial buffer. */
    public DataWriter() {
        this(64);
    }

    /**
     * Creates a writer.
     *
     * @param initialCapacity initial size of the backing array; must be {@code >= 0}
     */
    public DataWriter(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0: " + initialCapacity);
        }
        this.buf = new byte[initialCapacity];
    }

    /** Number of valid bytes in {@link #array()}: the highest position written since the last reset. */
    public int size() {
        return Math.max(pos, mark);
    }

    /** Current write cursor. Equal to {@link #size()} unless the cursor was moved back. */
    public int position() {
        return pos;
    }

    /**
     * Moves the write cursor, e.g. back to a length placeholder and then forward to the end again.
     *
     * @param newPosition between 0 and {@link #size()} inclusive
     * @throws IndexOutOfBoundsException if outside that range
     */
    public void position(int newPosition) {
        int end = size();
        Objects.checkIndex(newPosition, end + 1);
        mark = end;
        pos = newPosition;
    }

    /** Discards the contents (size and cursor become 0) and keeps the backing array. */
    public void reset() {
        pos = 0;
        mark = 0;
    }

    /** The backing array (not a copy); bytes {@code [0, size())} are valid. Invalidated by later growth. */
    public byte[] array() {
        return buf;
    }

    /** A copy of bytes {@code [0, size())}. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size());
    }

    /**
     * Overwrites four bytes at an absolute position (big-endian) without moving the cursor;
     * used to back-patch a length written earlier as a placeholder.
     *
     * @throws IndexOutOfBoundsException unless {@code [at, at + 4)} lies within {@code [0, size())}
     */
    public void putInt(int at, int v) {
        Objects.checkFromIndexSize(at, 4, size());
        INT.set(buf, at, v);
    }

    /** Writes the low 8 bits of {@code v}. */
    public void writeByte(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    /** Writes one byte, 1 for true and 0 for false. */
    public void writeBoolean(boolean v) {
        ensure(1);
        buf[pos++] = (byte) (v ? 1 : 0);
    }

    /** Writes the low 16 bits of {@code v}, big-endian. */
    public void writeShort(int v) {
        ensure(2);
        SHORT.set(buf, pos, (short) v);
        pos += 2;
    }

    /** Writes a UTF-16 code unit as two bytes, big-endian. */
    public void writeChar(int v) {
        writeShort(v);
    }

    /** Writes four bytes, big-endian. */
    public void writeInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    /** Writes eight bytes, big-endian. */
    public void writeLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    /** Writes the IEEE 754 bits of {@code v} (NaN payloads preserved) as four bytes. */
    public void writeFloat(float v) {
        writeInt(Float.floatToRawIntBits(v));
    }

    /** Writes the IEEE 754 bits of {@code v} (NaN payloads preserved) as eight bytes. */
    public void writeDouble(double v) {
        writeLong(Double.doubleToRawLongBits(v));
    }

    /**
     * Writes {@code v} as an unsigned LEB128 varint: 1 byte for 0..127, up to 5 bytes;
     * negative values always take 5 bytes (use {@link #writeZigZagInt} for signed values).
     */
    public void writeVarInt(int v) {
        ensure(5);
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7F) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    /** Writes {@code v} as an unsigned LEB128 varint of 1 to 10 bytes; negative values take 10. */
    public void writeVarLong(long v) {
        ensure(10);
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    /** Writes a signed int zig-zag encoded as a varint, so small magnitudes of either sign are short. */
    public void writeZigZagInt(int v) {
        writeVarInt((v << 1) ^ (v >> 31));
    }

    /** Writes a signed long zig-zag encoded as a varlong, so small magnitudes of either sign are short. */
    public void writeZigZagLong(long v) {
        writeVarLong((v << 1) ^ (v >> 63));
    }

    /** Writes {@code b} raw, without a length. */
    public void writeBytes(byte[] b) {
        writeBytes(b, 0, b.length);
    }

    /** Writes {@code len} bytes of {@code b} starting at {@code off}, raw, without a length. */
    public void writeBytes(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    /**
     * Writes a string as varint (UTF-8 byte length + 1), 0 for {@code null}, then its UTF-8 bytes.
     * All-ASCII strings are copied char by char without an intermediate array. An unpaired
     * surrogate is written as {@code '?'}, as {@link String#getBytes} does.
     */
    public void writeString(String s) {
        if (s == null) {
            writeByte(0);
            return;
        }
        int n = s.length();
        int start = pos;
        writeVarInt(n + 1);
        ensure(n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                pos = start;
                writeNonAscii(s, i);
                return;
            }
            b[p++] = (byte) c;
        }
        pos = p;
    }

    /** Slow path: {@code s} has a non-ASCII char at {@code firstNonAscii}; the cursor is at the length prefix. */
    private void writeNonAscii(String s, int firstNonAscii) {
        int n = s.length();
        long utf8 = firstNonAscii;
        for (int i = firstNonAscii; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                utf8 += 1;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                utf8 += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                utf8 += 1; // unpaired surrogate -> '?'
            } else {
                utf8 += 3;
            }
        }
        if (utf8 >= MAX_ARRAY) {
            throw new SerdeException("String too long to serialize: " + utf8 + " UTF-8 bytes");
        }
        int len = (int) utf8;
        writeVarInt(len + 1);
        ensure(len);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[p++] = (byte) '?';
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        pos = p;
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            grow(n);
        }
    }

    private void grow(int n) {
        long needed = (long) pos + n;
        if (needed > MAX_ARRAY) {
            throw new SerdeException("DataWriter cannot grow beyond " + MAX_ARRAY + " bytes (needed " + needed + ")");
        }
        long doubled = Math.max(16L, (long) buf.length * 2);
        int capacity = (int) Math.min(MAX_ARRAY, Math.max(doubled, needed));
        buf = Arrays.copyOf(buf, capacity);
    }
}
