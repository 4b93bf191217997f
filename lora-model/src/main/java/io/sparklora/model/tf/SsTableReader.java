package io.sparklora.model.tf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Reads a LevelDB-style sorted string table, the format of TensorFlow's {@code .index} files
 * ({@code tensorflow/core/lib/io/table*.cc}, {@code block.cc}, {@code format.cc}):
 * <pre>
 *   data block*  meta-index block  index block  footer (48 bytes)
 *   footer = varint64 meta-index offset, size; varint64 index offset, size; zero padding to 40 bytes;
 *            fixed64 magic 0xdb4775248b80fb57
 *   block  = entries, uint32 restart offsets, uint32 number of restarts; then a 5-byte trailer:
 *            type byte (0 = uncompressed, 1 = snappy) and the masked CRC32C of block + type byte
 *   entry  = varint32 shared key bytes, varint32 unshared key bytes, varint32 value length, key suffix, value
 * </pre>
 * The whole table is held in memory (index files are small; the size is bounded). Every block's checksum is
 * verified; Snappy-compressed blocks are refused with a clear error (TensorFlow writes bundle indexes
 * uncompressed). Keys must be strictly increasing.
 */
public final class SsTableReader {
    /** Largest index file accepted. */
    public static final long MAX_TABLE_BYTES = 512L << 20;
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER_LENGTH = 48;
    static final int TRAILER_LENGTH = 5;

    /** One key/value pair; keys compare as unsigned bytes. */
    public static final class Entry {
        private final byte[] key;
        private final byte[] value;

        Entry(byte[] key, byte[] value) {
            this.key = key;
            this.value = value;
        }

        public byte[] key() {
            return key.clone();
        }

        public String keyString() {
            return new String(key, java.nio.charset.StandardCharsets.UTF_8);
        }

        public byte[] value() {
            return value.clone();
        }

        byte[] valueUnsafe() {
            return value;
        }
    }

    private final String name;
    private final byte[] data;
    private final List<Entry> entries;
    private int blocksVerified;

    private SsTableReader(byte[] data, String name) throws TensorBundleFormatException {
        this.name = name;
        this.data = data;
        if (data.length < FOOTER_LENGTH) {
            throw error("truncated: " + data.length + " bytes, expected at least the " + FOOTER_LENGTH + "-byte footer");
        }
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long magic = bb.getLong(data.length - 8);
        if (magic != MAGIC) {
            throw error("bad footer magic 0x" + Long.toHexString(magic) + ", expected 0x" + Long.toHexString(MAGIC)
                    + " (not a table, or truncated)");
        }
        ProtoReader footer = new ProtoReader(data, data.length - FOOTER_LENGTH, FOOTER_LENGTH - 8, name + " footer");
        long metaOffset = footer.readVarint();
        long metaSize = footer.readVarint();
        long indexOffset = footer.readVarint();
        long indexSize = footer.readVarint();
        // the meta-index block is empty in tensor bundles; it is only checksummed
        readBlock(metaOffset, metaSize, "meta-index block");
        byte[] index = readBlock(indexOffset, indexSize, "index block");
        List<Entry> all = new ArrayList<>();
        for (Entry ie : parseBlock(index, "index block")) {
            ProtoReader h = new ProtoReader(ie.value, name + " index entry '" + ie.keyString() + "'");
            long off = h.readVarint();
            long size = h.readVarint();
            String where = "data block at " + off;
            all.addAll(parseBlock(readBlock(off, size, where), where));
        }
        for (int i = 1; i < all.size(); i++) {
            if (Arrays.compareUnsigned(all.get(i - 1).key, all.get(i).key) >= 0) {
                throw error("keys out of order: '" + all.get(i - 1).keyString() + "' before '" + all.get(i).keyString() + "'");
            }
        }
        this.entries = Collections.unmodifiableList(all);
    }

    /** Reads and verifies a whole table file. */
    public static SsTableReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        long size = Files.size(file);
        if (size > MAX_TABLE_BYTES) {
            throw new TensorBundleFormatException(file + ": table has " + size + " bytes, more than the allowed " + MAX_TABLE_BYTES);
        }
        return new SsTableReader(Files.readAllBytes(file), file.toString());
    }

    /** Parses a table held in memory ({@code name} is used in error messages). */
    public static SsTableReader parse(byte[] table, String name) throws TensorBundleFormatException {
        return new SsTableReader(Objects.requireNonNull(table, "table"), name);
    }

    public String name() {
        return name;
    }

    /** All entries in key order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Number of blocks whose CRC was checked (meta-index, index and data blocks). */
    public int blocksVerified() {
        return blocksVerified;
    }

    private byte[] readBlock(long offset, long size, String where) throws TensorBundleFormatException {
        long end = data.length - FOOTER_LENGTH;
        if (offset < 0 || size < 0 || offset > end || size + TRAILER_LENGTH > end - offset) {
            throw error(where + ": handle [offset " + offset + ", size " + size + "] outside the " + end
                    + " bytes before the footer");
        }
        int off = (int) offset;
        int len = (int) size;
        int type = data[off + len] & 0xff;
        int stored = ByteBuffer.wrap(data, off + len + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(data, off, len + 1); // contents and type byte
        int actual = (int) c.getValue();
        if (Crc32c.unmask(stored) != actual) {
            throw error(where + ": block checksum mismatch (stored masked crc32c 0x" + Integer.toHexString(stored)
                    + ", computed crc32c 0x" + Integer.toHexString(actual) + ")");
        }
        blocksVerified++;
        if (type == 1) {
            throw error(where + ": Snappy-compressed block; only uncompressed tables are supported");
        }
        if (type != 0) {
            throw error(where + ": unknown block type " + type);
        }
        return Arrays.copyOfRange(data, off, off + len);
    }

    private List<Entry> parseBlock(byte[] block, String where) throws TensorBundleFormatException {
        if (block.length < 4) {
            throw error(where + ": " + block.length + " bytes, too short for the restart count");
        }
        ByteBuffer bb = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        long restarts = Integer.toUnsignedLong(bb.getInt(block.length - 4));
        long restartBytes = 4 * (restarts + 1);
        if (restarts == 0 || restartBytes > block.length) {
            throw error(where + ": " + restarts + " restart points do not fit " + block.length + " bytes");
        }
        int entriesEnd = (int) (block.length - restartBytes);
        List<Entry> out = new ArrayList<>();
        ProtoReader r = new ProtoReader(block, 0, entriesEnd, name + " " + where);
        byte[] prev = new byte[0];
        while (r.hasMore()) {
            int shared = r.readLength();
            int unshared = r.readLength();
            int valueLength = r.readLength();
            if (shared > prev.length) {
                throw error(where + ": entry shares " + shared + " key bytes but the previous key has " + prev.length);
            }
            byte[] key = Arrays.copyOf(prev, shared + unshared);
            byte[] suffix = r.readRaw(unshared);
            System.arraycopy(suffix, 0, key, shared, unshared);
            byte[] value = r.readRaw(valueLength);
            out.add(new Entry(key, value));
            prev = key;
        }
        return out;
    }

    private TensorBundleFormatException error(String msg) {
        return new TensorBundleFormatException(name + ": " + msg);
    }
}
