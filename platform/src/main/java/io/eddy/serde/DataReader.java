package io.eddy.serde;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads what {@link DataWriter} wrote, from a window {@code [offset, limit)} of a byte array.
 *
 * <p>Every read checks the limit first: reading past it, or reading malformed data (an
 * over-long varint, a boolean byte other than 0/1, a string or byte-array length larger than
 * the remaining input), throws {@link SerdeException} whose message gives the position.
 * It never throws {@link ArrayIndexOutOfBoundsException}. Positions are absolute indexes into
 * the array.
 *
 * <p>Not thread-safe. The reader does not copy the array; it can be re-pointed at new input
 * with {@link #reset(byte[], int, int)} to avoid allocating a reader per record.
 */
public final class DataReader {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int pos;
    private int limit;

    /** Reads all of {@code buf}. */
    public DataReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /**
     * Reads {@code buf} from {@code offset} (inclusive) to {@code limit} (exclusive; an absolute index,
     * not a length).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= offset <= limit <= buf.length}
     */
    public DataReader(byte[] buf, int offset, int limit) {
        reset(buf, offset, limit);
    }

    /** Re-points this reader at new input; same bounds rules as the constructor. */
    public void reset(byte[] buf, int offset, int limit) {
        Objects.checkFromToIndex(offset, limit, buf.length);
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
    }

    /** Absolute index of the next byte to read. */
    public int position() {
        return pos;
    }

    /** Absolute, exclusive end of the readable window. */
    public int limit() {
        return limit;
    }

    /** Bytes left before the limit. */
    public int remaining() {
        return limit - pos;
    }

    /** Whether at least one byte is left. */
    public boolean hasRemaining() {
        return pos < limit;
    }

    /** Advances past {@code n} bytes. */
    public void skip(int n) {
        require(n);
        pos += n;
    }

    /** Reads one signed byte. */
    public byte readByte() {
        require(1);
        return buf[pos++];
    }

    /** Reads a boolean written as 1 or 0; any other byte is malformed. */
    public boolean readBoolean() {
        require(1);
        byte b = buf[pos];
        if ((b & ~1) != 0) {
            throw malformed("boolean byte " + b);
        }
        pos++;
        return b != 0;
    }

    /** Reads two bytes, big-endian. */
    public short readShort() {
        require(2);
        short v = (short) SHORT.get(buf, pos);
        pos += 2;
        return v;
    }

    /** Reads a UTF-16 code unit from two bytes, big-endian. */
    public char readChar() {
        return (char) readShort();
    }

    /** Reads four bytes, big-endian. */
    public int readInt() {
        require(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    /** Reads eight bytes, big-endian. */
    public long readLong() {
        require(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    /** Reads a float from its four-byte IEEE 754 bits. */
    public float readFloat() {
        return Float.intBitsToFloat(readInt());
    }

    /** Reads a double from its eight-byte IEEE 754 bits. */
    public double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    /** Reads an unsigned LEB128 varint of at most 5 bytes. */
    public int readVarInt() {
        int p = pos;
        byte[] b = buf;
        if (limit - p >= 5) { // fast path: no limit checks per byte
            int x = b[p++];
            if (x >= 0) {
                pos = p;
                return x;
            }
            x &= 0x7F;
            for (int shift = 7; shift < 35; shift += 7) {
                int v = b[p++];
                x |= (v & 0x7F) << shift;
                if (v >= 0) {
                    pos = p;
                    return x;
                }
            }
            throw malformed("varint longer than 5 bytes");
        }
        return readVarIntNearLimit();
    }

    private int readVarIntNearLimit() {
        int p = pos;
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (p >= limit) {
                throw truncated(p - pos + 1);
            }
            byte b = buf[p++];
            result |= (b & 0x7F) << shift;
            if (b >= 0) {
                pos = p;
                return result;
            }
        }
        throw malformed("varint longer than 5 bytes");
    }

    /** Reads an unsigned LEB128 varint of at most 10 bytes. */
    public long readVarLong() {
        int p = pos;
        byte[] b = buf;
        if (limit - p >= 10) { // fast path: no limit checks per byte
            long x = b[p++];
            if (x >= 0) {
                pos = p;
                return x;
            }
            x &= 0x7F;
            for (int shift = 7; shift < 70; shift += 7) {
                long v = b[p++];
                x |= (v & 0x7F) << shift;
                if (v >= 0) {
                    pos = p;
                    return x;
                }
            }
            throw malformed("varlong longer than 10 bytes");
        }
        return readVarLongNearLimit();
    }

    private long readVarLongNearLimit() {
        int p = pos;
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (p >= limit) {
                throw truncated(p - pos + 1);
            }
            byte b = buf[p++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                pos = p;
                return result;
            }
        }
        throw malformed("varlong longer than 10 bytes");
    }

    /** Reads an int written by {@link DataWriter#writeZigZagInt}. */
    public int readZigZagInt() {
        int v = readVarInt();
        return (v >>> 1) ^ -(v & 1);
    }

    /** Reads a long written by {@link DataWriter#writeZigZagLong}. */
    public long readZigZagLong() {
        long v = readVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    /** Reads {@code len} raw bytes into a new array. */
    public byte[] readBytes(int len) {
        if (len < 0) {
            throw malformed("negative byte count " + len);
        }
        require(len);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    /** Reads {@code len} raw bytes into {@code dst} at {@code off}. */
    public void readBytes(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        require(len);
        System.arraycopy(buf, pos, dst, off, len);
        pos += len;
    }

    /** Reads a string written by {@link DataWriter#writeString}; may return {@code null}. */
    public String readString() {
        int start = pos;
        int n = readVarInt();
        if (n == 0) {
            return null;
        }
        int len = n - 1;
        if (len < 0 || len > limit - pos) {
            throw new SerdeException("Truncated or corrupt input: string of " + Integer.toUnsignedString(len)
                    + " bytes at position " + start + " but only " + (limit - pos) + " remain after its length (limit "
                    + limit + ")");
        }
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    private void require(int n) {
        if (n < 0 || limit - pos < n) {
            throw truncated(n);
        }
    }

    private SerdeException truncated(int needed) {
        return new SerdeException("Truncated input: needed " + needed + " byte(s) at position " + pos
                + " but only " + (limit - pos) + " remain (limit " + limit + ")");
    }

    private SerdeException malformed(String what) {
        return new SerdeException("Malformed input at position " + pos + ": " + what);
    }
}
