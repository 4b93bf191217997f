package io.sparklora.model.tf;

import java.util.Arrays;

/**
 * One tensor of a TensorFlow tensor bundle ({@code BundleEntryProto}): the bytes of tensor {@code name}
 * lie in data shard {@code shardId} at {@code [offset, offset + size)}; {@code crc32c} is the masked CRC32C
 * of those bytes as stored.
 */
public final class BundleEntry {
    private final String name;
    private final TfDataType dtype;
    private final long[] shape;
    private final int shardId;
    private final long offset;
    private final long size;
    private final int maskedCrc32c;
    private final boolean sliced;

    BundleEntry(String name, TfDataType dtype, long[] shape, int shardId, long offset, long size, int maskedCrc32c, boolean sliced) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.shardId = shardId;
        this.offset = offset;
        this.size = size;
        this.maskedCrc32c = maskedCrc32c;
        this.sliced = sliced;
    }

    /** Decodes a {@code BundleEntryProto}. */
    static BundleEntry parse(String name, byte[] proto) throws TensorBundleFormatException {
        ProtoReader r = new ProtoReader(proto, "entry '" + name + "'");
        TfDataType dtype = null;
        long dtypeCode = 0;
        long[] shape = new long[0];
        long shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        boolean sliced = false;
        while (r.hasMore()) {
            int tag = r.readTag();
            int wt = ProtoReader.wireType(tag);
            switch (ProtoReader.fieldNumber(tag)) {
                case 1:
                    expect(r, wt, ProtoReader.VARINT, "dtype");
                    dtypeCode = r.readVarint();
                    dtype = TfDataType.ofCode(dtypeCode);
                    break;
                case 2:
                    expect(r, wt, ProtoReader.LENGTH_DELIMITED, "shape");
                    shape = parseShape(r.readMessage("shape"));
                    break;
                case 3:
                    expect(r, wt, ProtoReader.VARINT, "shard_id");
                    shard = r.readVarint();
                    break;
                case 4:
                    expect(r, wt, ProtoReader.VARINT, "offset");
                    offset = r.readVarint();
                    break;
                case 5:
                    expect(r, wt, ProtoReader.VARINT, "size");
                    size = r.readVarint();
                    break;
                case 6:
                    expect(r, wt, ProtoReader.FIXED32, "crc32c");
                    crc = r.readFixed32();
                    break;
                case 7:
                    sliced = true;
                    r.skip(wt);
                    break;
                default:
                    r.skip(wt);
            }
        }
        if (dtype == null) {
            throw r.error("unsupported or missing dtype " + dtypeCode);
        }
        if (shard < 0 || shard > Integer.MAX_VALUE || offset < 0 || size < 0) {
            throw r.error("negative or huge shard_id/offset/size (" + shard + ", " + offset + ", " + size + ")");
        }
        return new BundleEntry(name, dtype, shape, (int) shard, offset, size, crc, sliced);
    }

    private static void expect(ProtoReader r, int actual, int expected, String field) throws TensorBundleFormatException {
        if (actual != expected) {
            throw r.error("field " + field + " has wire type " + actual + ", expected " + expected);
        }
    }

    /** {@code TensorShapeProto}: repeated Dim dim = 2 (Dim: int64 size = 1); unknown_rank = 3 is refused. */
    private static long[] parseShape(ProtoReader r) throws TensorBundleFormatException {
        long[] dims = new long[4];
        int n = 0;
        while (r.hasMore()) {
            int tag = r.readTag();
            int field = ProtoReader.fieldNumber(tag);
            if (field == 2 && ProtoReader.wireType(tag) == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader d = r.readMessage("dim");
                long size = 0;
                while (d.hasMore()) {
                    int t = d.readTag();
                    if (ProtoReader.fieldNumber(t) == 1 && ProtoReader.wireType(t) == ProtoReader.VARINT) {
                        size = d.readVarint();
                    } else {
                        d.skip(ProtoReader.wireType(t));
                    }
                }
                if (size < 0) {
                    throw r.error("dimension " + n + " is " + size + " (unknown), expected a known size");
                }
                if (n == dims.length) {
                    if (n >= 64) {
                        throw r.error("more than 64 dimensions");
                    }
                    dims = Arrays.copyOf(dims, n * 2);
                }
                dims[n++] = size;
            } else if (field == 3) {
                long unknown = r.readVarint();
                if (unknown != 0) {
                    throw r.error("shape has unknown rank");
                }
            } else {
                r.skip(ProtoReader.wireType(tag));
            }
        }
        return Arrays.copyOf(dims, n);
    }

    public String name() {
        return name;
    }

    public TfDataType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int shardId() {
        return shardId;
    }

    public long offset() {
        return offset;
    }

    public long size() {
        return size;
    }

    /** The CRC32C as stored (masked). */
    public int maskedCrc32c() {
        return maskedCrc32c;
    }

    /** True for a partitioned variable (its bytes are in per-slice entries; not supported by the reader). */
    public boolean sliced() {
        return sliced;
    }

    /** Product of the dimensions (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " shard " + shardId + " @" + offset + "+" + size;
    }
}
