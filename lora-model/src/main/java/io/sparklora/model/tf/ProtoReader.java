package io.sparklora.model.tf;

import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers wire-format decoder over a byte range: tags, varints, fixed32/64 and
 * length-delimited fields, with bounds checked on every read. Unknown fields are skipped by the caller
 * with {@link #skip(int)}.
 */
public final class ProtoReader {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    private final byte[] buf;
    private final int limit;
    private final String what;
    private int pos;
    private int lastTag;

    /** Reads {@code buf[off, off + len)}; {@code what} names the message in errors. */
    public ProtoReader(byte[] buf, int off, int len, String what) {
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new IllegalArgumentException(what + ": range [" + off + ", " + off + "+" + len + ") outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = off;
        this.limit = off + len;
        this.what = what;
    }

    public ProtoReader(byte[] buf, String what) {
        this(buf, 0, buf.length, what);
    }

    public boolean hasMore() {
        return pos < limit;
    }

    /** Reads the next tag; returns it (field number = tag >>> 3, wire type = tag & 7). */
    public int readTag() throws TensorBundleFormatException {
        long t = readVarint();
        if (t <= 0 || t > Integer.MAX_VALUE || (t >>> 3) == 0) {
            throw error("invalid tag " + t);
        }
        lastTag = (int) t;
        return lastTag;
    }

    public static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    public static int wireType(int tag) {
        return tag & 7;
    }

    public long readVarint() throws TensorBundleFormatException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw error("truncated varint");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw error("varint longer than 10 bytes");
    }

    /** A varint that must fit a non-negative int (lengths, counts). */
    public int readLength() throws TensorBundleFormatException {
        long v = readVarint();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw error("length " + v + " out of range");
        }
        return (int) v;
    }

    public int readFixed32() throws TensorBundleFormatException {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    public long readFixed64() throws TensorBundleFormatException {
        long lo = readFixed32() & 0xffffffffL;
        long hi = readFixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** A length-delimited field's bytes as a reader of its own (no copy). */
    public ProtoReader readMessage(String name) throws TensorBundleFormatException {
        int len = readLength();
        need(len);
        ProtoReader r = new ProtoReader(buf, pos, len, what + "." + name);
        pos += len;
        return r;
    }

    public byte[] readBytes() throws TensorBundleFormatException {
        int len = readLength();
        need(len);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    public String readString() throws TensorBundleFormatException {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    /** The next {@code n} raw bytes (not a protobuf field: used for SSTable entries). */
    public byte[] readRaw(int n) throws TensorBundleFormatException {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** Skips the value of the field whose tag was just read. */
    public void skip(int wireType) throws TensorBundleFormatException {
        switch (wireType) {
            case VARINT:
                readVarint();
                break;
            case FIXED64:
                need(8);
                pos += 8;
                break;
            case LENGTH_DELIMITED: {
                int len = readLength();
                need(len);
                pos += len;
                break;
            }
            case FIXED32:
                need(4);
                pos += 4;
                break;
            default:
                throw error("unsupported wire type " + wireType + " (groups are not used by these messages)");
        }
    }

    private void need(int n) throws TensorBundleFormatException {
        if (n < 0 || n > limit - pos) {
            throw error("truncated: need " + n + " bytes at offset " + pos + ", only " + (limit - pos) + " left");
        }
    }

    TensorBundleFormatException error(String msg) {
        return new TensorBundleFormatException(what + ": " + msg);
    }
}
