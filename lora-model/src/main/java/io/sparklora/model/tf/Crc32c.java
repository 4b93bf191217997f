package io.sparklora.model.tf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C and the "masked" form LevelDB/TensorFlow store (so a CRC of data that holds CRCs stays robust). */
public final class Crc32c {
    private static final int MASK_DELTA = 0xa282ead8;

    private Crc32c() {}

    public static int of(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    public static int of(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return (int) c.getValue();
    }

    /** Rotate right by 15 bits and add a constant, as LevelDB's crc32c::Mask. */
    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    public static int unmask(int masked) {
        int rot = masked - MASK_DELTA;
        return (rot >>> 17) | (rot << 15);
    }
}
