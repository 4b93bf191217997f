package io.sparklora.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Collects named tensors and writes them as one safetensors file: header JSON ({@code __metadata__} first,
 * then the tensors in the order added) padded with spaces to a multiple of 8 bytes, then the data in the same
 * order, contiguous. Files are written atomically (temporary file, then rename) and replace an existing file.
 *
 * <p>Tensors given as arrays are referenced, not copied, until {@link #write}; NDArrays are copied when added.
 * {@link #addLazy} lets very large tensors be produced while writing, one at a time.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 16;

    /** Produces exactly the announced number of little-endian bytes of one tensor. */
    @FunctionalInterface
    public interface TensorContent {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final class Entry {
        final String name;
        final DType dtype;
        final long[] shape;
        final long bytes;
        final TensorContent content;

        Entry(String name, DType dtype, long[] shape, long bytes, TensorContent content) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.bytes = bytes;
            this.content = content;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry (string to string). */
    public SafetensorsWriter metadata(String key, String value) {
        Objects.requireNonNull(key, "metadata key");
        Objects.requireNonNull(value, "metadata value for '" + key + "'");
        metadata.put(key, value);
        return this;
    }

    /** Adds an F32 tensor. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data) {
        return addFloats(name, DType.F32, shape, data);
    }

    /** Adds a float tensor stored as F32, F16, BF16 or F64 (F16/BF16 rounded to nearest even). */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] data) {
        Objects.requireNonNull(data, "data of '" + name + "'");
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': dtype " + dtype + " is not floating-point");
        }
        checkCount(name, shape, data.length);
        return add(name, dtype, shape, out -> writeFloats(out, dtype, data));
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] data) {
        Objects.requireNonNull(data, "data of '" + name + "'");
        checkCount(name, shape, data.length);
        return add(name, DType.I64, shape, out -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : data) {
                if (buf.remaining() < 8) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putLong(v);
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /** Adds raw little-endian bytes (from the buffer's position to its limit, copied now). */
    public SafetensorsWriter addRaw(String name, DType dtype, long[] shape, ByteBuffer littleEndianBytes) {
        Objects.requireNonNull(littleEndianBytes, "bytes of '" + name + "'");
        byte[] copy = new byte[littleEndianBytes.remaining()];
        littleEndianBytes.duplicate().get(copy);
        long expected = byteCount(name, dtype, shape);
        if (copy.length != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + copy.length + " bytes given, expected "
                    + expected + " for " + dtype + Arrays.toString(shape));
        }
        return add(name, dtype, shape, out -> out.write(copy));
    }

    /** Adds a copy of an NDArray's contents, keeping its dtype and shape. */
    public SafetensorsWriter addNDArray(String name, NDArray array) {
        Objects.requireNonNull(array, "array '" + name + "'");
        DType dtype = fromDjl(name, array.getDataType());
        ByteBuffer b = array.toByteBuffer();
        ByteBuffer le = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (b.order() == ByteOrder.LITTLE_ENDIAN || dtype.byteSize() == 1) {
            le.put(b.duplicate());
        } else {
            int w = dtype.byteSize();
            for (int i = b.position(); i < b.limit(); i += w) {
                for (int k = w - 1; k >= 0; k--) {
                    le.put(b.get(i + k));
                }
            }
        }
        le.flip();
        return addRaw(name, dtype, array.getShape().getShape(), le);
    }

    /**
     * Adds a tensor whose bytes are produced only while the file is written; {@code content} must write exactly
     * numel × dtype size bytes, or the write fails.
     */
    public SafetensorsWriter addLazy(String name, DType dtype, long[] shape, TensorContent content) {
        Objects.requireNonNull(content, "content of '" + name + "'");
        return add(name, dtype, shape, content);
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, TensorContent content) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype of '" + name + "'");
        if ("__metadata__".equals(name)) {
            throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        long bytes = byteCount(name, dtype, shape);
        entries.add(new Entry(name, dtype, shape.clone(), bytes, content));
        return this;
    }

    private static long byteCount(String name, DType dtype, long[] shape) {
        Objects.requireNonNull(shape, "shape of '" + name + "'");
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
        }
        try {
            return Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " too large");
        }
    }

    private static void checkCount(String name, long[] shape, int length) {
        Objects.requireNonNull(shape, "shape of '" + name + "'");
        long n;
        try {
            n = TensorInfo.numel(shape);
        } catch (ArithmeticException e) {
            n = -1;
        }
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + length + " values given, shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
    }

    private static DType fromDjl(String name, DataType t) {
        switch (t) {
            case FLOAT64: return DType.F64;
            case FLOAT32: return DType.F32;
            case FLOAT16: return DType.F16;
            case BFLOAT16: return DType.BF16;
            case INT64: return DType.I64;
            case INT32: return DType.I32;
            case INT16: return DType.I16;
            case INT8: return DType.I8;
            case UINT8: return DType.U8;
            case BOOLEAN: return DType.BOOL;
            case UINT16: return DType.U16;
            case UINT32: return DType.U32;
            case UINT64: return DType.U64;
            default: throw new IllegalArgumentException("tensor '" + name + "': DJL type " + t + " has no safetensors dtype");
        }
    }

    private static void writeFloats(OutputStream out, DType dtype, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int w = dtype.byteSize();
        for (float v : data) {
            if (buf.remaining() < w) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (dtype) {
                case F32: buf.putFloat(v); break;
                case F64: buf.putDouble(v); break;
                case F16: buf.putShort(HalfFloats.floatToHalf(v)); break;
                case BF16: buf.putShort(HalfFloats.floatToBf16(v)); break;
                default: throw new AssertionError(dtype);
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** The header bytes (JSON padded with spaces to a multiple of 8), without the 8-byte length. */
    byte[] headerBytes() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name);
            t.put("dtype", e.dtype.headerName());
            ArrayNode s = t.putArray("shape");
            for (long d : e.shape) {
                s.add(d);
            }
            ArrayNode o = t.putArray("data_offsets");
            o.add(offset);
            offset += e.bytes;
            o.add(offset);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the whole file to a stream (not atomic; the stream is not closed). */
    public void writeTo(OutputStream target) throws IOException {
        Objects.requireNonNull(target, "target");
        OutputStream out = new BufferedOutputStream(target, 1 << 20);
        byte[] header = headerBytes();
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
        for (Entry e : entries) {
            CountingStream counting = new CountingStream(out);
            e.content.writeTo(counting);
            if (counting.count != e.bytes) {
                throw new IOException("tensor '" + e.name + "': content wrote " + counting.count + " bytes, expected "
                        + e.bytes + " for " + e.dtype + Arrays.toString(e.shape));
            }
        }
        out.flush();
    }

    /** The whole file in memory (for small files and tests). */
    public byte[] toByteArray() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            writeTo(bos);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /** Writes atomically to a local file, replacing it if it exists. */
    public void write(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        write(Storage.local(), file.toAbsolutePath().toUri().toString());
    }

    /** Writes atomically to any Hadoop path, replacing it if it exists (see {@link Storage#writeAtomically}). */
    public void write(Storage storage, String path) throws IOException {
        Objects.requireNonNull(storage, "storage");
        storage.writeAtomically(path, true, this::writeTo);
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the file stream is closed by the caller
        }
    }
}
