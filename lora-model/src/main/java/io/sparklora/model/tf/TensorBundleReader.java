package io.sparklora.model.tf;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads a TensorFlow V2 checkpoint ("tensor bundle", {@code tensorflow/core/util/tensor_bundle}): the
 * {@code <prefix>.index} SSTable maps each variable name to a {@code BundleEntryProto}; the empty key holds
 * the {@code BundleHeaderProto}; tensor bytes lie in {@code <prefix>.data-SSSSS-of-NNNNN}.
 *
 * <p>Opening verifies the index (block checksums, entry protos, header) and that every entry lies inside
 * its shard with {@code size == numel × dtype size}. Reading a tensor verifies its CRC32C. Tensors are
 * read one at a time from memory maps of the shards, never all at once. Little-endian bundles of fixed-size
 * dtypes only; partitioned (sliced) variables and string tensors are listed but cannot be read.
 */
public final class TensorBundleReader implements Closeable {
    private final Path prefix;
    private final int numShards;
    private final Map<String, BundleEntry> entries;
    private final FileChannel[] shards;
    private final Path[] shardPaths;
    private final int indexBlocksVerified;
    private long tensorsVerified;

    private TensorBundleReader(Path prefix) throws IOException {
        this.prefix = prefix;
        Path indexPath = prefix.resolveSibling(prefix.getFileName() + ".index");
        SsTableReader table = SsTableReader.open(indexPath);
        this.indexBlocksVerified = table.blocksVerified();
        if (table.entries().isEmpty() || table.entries().get(0).keyString().length() != 0) {
            throw new TensorBundleFormatException(indexPath + ": the first key must be the empty header key");
        }
        // BundleHeaderProto: int32 num_shards = 1; Endianness endianness = 2; VersionDef version = 3
        ProtoReader h = new ProtoReader(table.entries().get(0).valueUnsafe(), indexPath + " header");
        long shardsDeclared = 0;
        long endianness = 0;
        while (h.hasMore()) {
            int tag = h.readTag();
            int f = ProtoReader.fieldNumber(tag);
            if (f == 1 && ProtoReader.wireType(tag) == ProtoReader.VARINT) {
                shardsDeclared = h.readVarint();
            } else if (f == 2 && ProtoReader.wireType(tag) == ProtoReader.VARINT) {
                endianness = h.readVarint();
            } else {
                h.skip(ProtoReader.wireType(tag));
            }
        }
        if (shardsDeclared < 1 || shardsDeclared > 100_000) {
            throw new TensorBundleFormatException(indexPath + ": header declares " + shardsDeclared + " shards");
        }
        if (endianness != 0) {
            throw new TensorBundleFormatException(indexPath + ": big-endian bundle (endianness " + endianness + "), only little-endian is supported");
        }
        this.numShards = (int) shardsDeclared;
        this.shards = new FileChannel[numShards];
        this.shardPaths = new Path[numShards];
        Map<String, BundleEntry> map = new LinkedHashMap<>();
        try {
            for (int i = 0; i < numShards; i++) {
                shardPaths[i] = prefix.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix.getFileName(), i, numShards));
                if (!Files.isRegularFile(shardPaths[i])) {
                    throw new TensorBundleFormatException(indexPath + ": data shard " + shardPaths[i] + " is missing");
                }
                shards[i] = FileChannel.open(shardPaths[i], StandardOpenOption.READ);
            }
            for (SsTableReader.Entry e : table.entries().subList(1, table.entries().size())) {
                String name = e.keyString();
                BundleEntry be = BundleEntry.parse(name, e.valueUnsafe());
                validate(indexPath, be);
                map.put(name, be);
            }
        } catch (IOException | RuntimeException ex) {
            closeQuietly();
            throw ex;
        }
        this.entries = Collections.unmodifiableMap(map);
    }

    private void validate(Path indexPath, BundleEntry e) throws IOException {
        String where = indexPath + ": tensor '" + e.name() + "': ";
        if (e.shardId() >= numShards) {
            throw new TensorBundleFormatException(where + "shard_id " + e.shardId() + " but the bundle has " + numShards + " shards");
        }
        if (e.sliced() || !e.dtype().fixedSize()) {
            return; // listed, refused when read
        }
        long expected;
        try {
            expected = Math.multiplyExact(e.numel(), e.dtype().byteSize());
        } catch (ArithmeticException ex) {
            throw new TensorBundleFormatException(where + "shape too large");
        }
        if (e.size() != expected) {
            throw new TensorBundleFormatException(where + "size " + e.size() + " bytes, expected " + expected
                    + " for " + e.dtype() + java.util.Arrays.toString(e.shape()));
        }
        long shardSize = shards[e.shardId()].size();
        if (e.offset() > shardSize || e.size() > shardSize - e.offset()) {
            throw new TensorBundleFormatException(where + "bytes [" + e.offset() + ", " + (e.offset() + e.size())
                    + ") lie outside " + shardPaths[e.shardId()] + " (" + shardSize + " bytes) - truncated data file?");
        }
    }

    /**
     * Opens the bundle with the given prefix, e.g. {@code savedModel/variables/variables} for
     * {@code variables.index} + {@code variables.data-00000-of-00001}.
     */
    public static TensorBundleReader open(Path prefix) throws IOException {
        Objects.requireNonNull(prefix, "prefix");
        return new TensorBundleReader(prefix);
    }

    public Path prefix() {
        return prefix;
    }

    public int numShards() {
        return numShards;
    }

    /** Every tensor entry (header excluded), in key order. */
    public Map<String, BundleEntry> entries() {
        return entries;
    }

    public BundleEntry entry(String name) {
        BundleEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(prefix + ": no tensor named '" + name + "'");
        }
        return e;
    }

    /** Number of index blocks whose checksum was verified at open. */
    public int indexBlocksVerified() {
        return indexBlocksVerified;
    }

    /** Number of tensor reads whose CRC32C matched so far. */
    public synchronized long tensorsVerified() {
        return tensorsVerified;
    }

    /**
     * The little-endian bytes of a tensor, after checking their CRC32C against the entry (a memory map for
     * large tensors; read-only).
     */
    public ByteBuffer readRaw(String name) throws IOException {
        BundleEntry e = entry(name);
        if (e.sliced()) {
            throw new TensorBundleFormatException(prefix + ": tensor '" + name + "' is partitioned (sliced); not supported");
        }
        if (!e.dtype().fixedSize()) {
            throw new TensorBundleFormatException(prefix + ": tensor '" + name + "' has dtype " + e.dtype() + "; only fixed-size types can be read");
        }
        if (e.size() > Integer.MAX_VALUE - 8) {
            throw new TensorBundleFormatException(prefix + ": tensor '" + name + "' has " + e.size() + " bytes, too many for one buffer");
        }
        FileChannel ch = shards[e.shardId()];
        ByteBuffer buf;
        if (e.size() >= (1 << 20)) {
            buf = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.size());
        } else {
            buf = ByteBuffer.allocate((int) e.size());
            long pos = e.offset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new TensorBundleFormatException(prefix + ": tensor '" + name + "': " + shardPaths[e.shardId()]
                            + " ended at " + pos + ", expected " + e.size() + " bytes from " + e.offset());
                }
                pos += n;
            }
            buf.flip();
        }
        if (buf.remaining() != e.size()) {
            throw new TensorBundleFormatException(prefix + ": tensor '" + name + "': read " + buf.remaining() + " bytes, expected " + e.size());
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate());
        int actual = (int) crc.getValue();
        if (Crc32c.unmask(e.maskedCrc32c()) != actual) {
            throw new TensorBundleFormatException(prefix + ": tensor '" + name + "': checksum mismatch (stored crc32c 0x"
                    + Integer.toHexString(Crc32c.unmask(e.maskedCrc32c())) + ", computed 0x" + Integer.toHexString(actual)
                    + " over " + e.size() + " bytes at offset " + e.offset() + " of " + shardPaths[e.shardId()] + ")");
        }
        synchronized (this) {
            tensorsVerified++;
        }
        return buf.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A DT_FLOAT tensor as a row-major float array (CRC verified). */
    public float[] readFloats(String name) throws IOException {
        BundleEntry e = entry(name);
        if (e.dtype() != TfDataType.DT_FLOAT) {
            throw new IllegalArgumentException(prefix + ": tensor '" + name + "' is " + e.dtype() + ", expected DT_FLOAT");
        }
        ByteBuffer b = readRaw(name);
        float[] out = new float[(int) e.numel()];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Reads every readable tensor once and checks its CRC32C; returns how many were verified. */
    public int verifyAll() throws IOException {
        int n = 0;
        for (BundleEntry e : entries.values()) {
            if (!e.sliced() && e.dtype().fixedSize()) {
                readRaw(e.name());
                n++;
            }
        }
        return n;
    }

    private void closeQuietly() {
        for (FileChannel c : shards) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing after a failure: the first error matters
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel c : shards) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
