package io.sparklora.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a safetensors file: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the
 * tensor data. The whole header is validated when the file is opened; tensors are then read one at a time
 * (memory-mapped or positioned reads), never the whole file at once.
 *
 * <p>Validation (every violation is a {@link SafetensorsFormatException} naming the file and key):
 * <ul>
 *   <li>N ≤ {@link #MAX_HEADER_BYTES} (100 MB, as the reference implementation) and N ≤ file size − 8;</li>
 *   <li>the header is one JSON object (no duplicate keys, nothing but whitespace after it);</li>
 *   <li>{@code __metadata__}, if present, maps strings to strings;</li>
 *   <li>every other key is a tensor with exactly {@code dtype} (a known {@link DType}), {@code shape}
 *       (non-negative integers) and {@code data_offsets} [begin, end] with
 *       end − begin = numel × dtype size;</li>
 *   <li>sorted by offset, the tensors tile the data section exactly: the first starts at 0, each starts where
 *       the previous ends (no overlaps and no gaps; gaps are refused as by the reference implementation),
 *       and the last ends at the end of the file (no trailing bytes).</li>
 * </ul>
 * Tensors are listed in file order (by data offset; zero-size tensors at equal offsets in header order).
 * Asking for a tensor that is not in the file, or as a type it cannot be converted to (floats of an I64
 * tensor), is a caller error: {@link IllegalArgumentException}.
 *
 * <p>Memory: a header is at most 100 MB and parsed into a JSON tree; tensor data is never read before it
 * is asked for, and every allocation is bounded by the (validated) file size.
 *
 * <p>Thread-safe: reads from local files and buffers may run concurrently; reads from a Hadoop stream are
 * serialized.
 */
public final class SafetensorsReader implements Closeable {
    /** Largest JSON header accepted, in bytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ByteSource source;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(ByteSource source) throws IOException {
        this.source = source;
        long size = source.size();
        if (size < 8) {
            throw error("truncated file: expected at least 8 bytes (the header length), found " + size);
        }
        long n = source.read(0, 8).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw error("header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw error("truncated file: header length is " + n + " bytes but only " + (size - 8)
                    + " bytes follow the 8-byte length");
        }
        if (n < 2) {
            throw error("header of " + n + " bytes cannot hold a JSON object");
        }
        this.dataStart = 8 + n;
        ByteBuffer header = source.read(8, (int) n);
        JsonNode root;
        try {
            byte[] bytes = new byte[(int) n];
            header.get(bytes);
            if (bytes[0] != '{') {
                throw error("header does not start with '{' (expected a JSON object)");
            }
            root = JSON.readTree(bytes);
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new SafetensorsFormatException(source.description() + ": header is not valid JSON: "
                    + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw error("header is not a JSON object");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        List<TensorInfo> list = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (METADATA_KEY.equals(e.getKey())) {
                parseMetadata(e.getValue(), meta);
            } else {
                list.add(parseTensor(e.getKey(), e.getValue()));
            }
        }
        // stable sort keeps header order among zero-size tensors at the same offset
        list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long dataLength = size - dataStart;
        long expected = 0;
        String previous = null;
        for (TensorInfo t : list) {
            if (t.begin() != expected) {
                if (t.begin() < expected) {
                    throw error("tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                            + "] overlap tensor '" + previous + "' which ends at " + expected);
                }
                throw error("tensor '" + t.name() + "': data_offsets begin at " + t.begin() + ", expected "
                        + expected + (previous == null ? " (the start of the data section)" : " (the end of tensor '" + previous + "')")
                        + "; gaps are not allowed");
            }
            if (t.end() > dataLength) {
                throw error("tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] run past the end of the data section (" + dataLength + " bytes)"
                        + " - truncated file?");
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected != dataLength) {
            throw error("data section has " + dataLength + " bytes but the tensors cover " + expected
                    + " (trailing bytes)");
        }
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        for (TensorInfo t : list) {
            map.put(t.name(), t);
        }
        this.tensors = Collections.unmodifiableMap(map);
        this.metadata = Collections.unmodifiableMap(meta);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    private void parseMetadata(JsonNode node, Map<String, String> out) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw error("'" + METADATA_KEY + "' must be an object of strings, found " + node.getNodeType());
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw error("'" + METADATA_KEY + "' key '" + e.getKey() + "': expected a string, found "
                        + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private TensorInfo parseTensor(String name, JsonNode node) throws SafetensorsFormatException {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw error(where + "expected an object with dtype, shape, data_offsets, found " + node.getNodeType());
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!f.equals("dtype") && !f.equals("shape") && !f.equals("data_offsets")) {
                throw error(where + "unexpected field '" + f + "' (expected dtype, shape, data_offsets)");
            }
        }
        JsonNode d = node.get("dtype");
        if (d == null || !d.isTextual()) {
            throw error(where + "'dtype' missing or not a string");
        }
        DType dtype;
        try {
            dtype = DType.fromHeaderName(d.textValue());
        } catch (IllegalArgumentException e) {
            throw error(where + e.getMessage());
        }
        long[] shape = longArray(node.get("shape"), where + "'shape'", -1);
        long[] offsets = longArray(node.get("data_offsets"), where + "'data_offsets'", 2);
        if (offsets[1] < offsets[0]) {
            throw error(where + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw error(where + "shape " + java.util.Arrays.toString(shape) + " has more elements than fit in 64 bits");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw error(where + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] hold "
                    + (offsets[1] - offsets[0]) + " bytes, expected " + bytes + " for " + dtype
                    + java.util.Arrays.toString(shape));
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private long[] longArray(JsonNode node, String what, int requiredLength) throws SafetensorsFormatException {
        if (node == null || !node.isArray()) {
            throw error(what + " missing or not an array");
        }
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw error(what + " must have " + requiredLength + " elements, found " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw error(what + "[" + i + "] must be a non-negative 64-bit integer, found " + v);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private SafetensorsFormatException error(String message) {
        return new SafetensorsFormatException(source.description() + ": " + message);
    }

    // ---------------------------------------------------------------- opening

    /** Opens a local file; tensors are memory-mapped or read with positioned reads when asked for. */
    public static SafetensorsReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ByteSource src = ByteSource.of(file);
        return openClosingOnError(src);
    }

    /** Reads from bytes in memory (not copied); {@code description} names them in errors. */
    public static SafetensorsReader open(byte[] bytes, String description) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return open(ByteBuffer.wrap(bytes), description);
    }

    /** Reads from the bytes between 0 and the limit of a buffer (not copied). */
    public static SafetensorsReader open(ByteBuffer buffer, String description) throws IOException {
        Objects.requireNonNull(buffer, "buffer");
        return openClosingOnError(ByteSource.of(buffer, description == null ? "<buffer>" : description));
    }

    /**
     * Opens a file through {@link Storage} (any Hadoop path); local files use the local fast path, others
     * positioned reads on the Hadoop stream.
     */
    public static SafetensorsReader open(Storage storage, String path) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Optional<Path> local = storage.localPath(path);
        if (local.isPresent()) {
            return open(local.get());
        }
        return openStream(storage, path);
    }

    /** Positioned reads on a Hadoop stream, whatever the file system (package-private for tests). */
    static SafetensorsReader openStream(Storage storage, String path) throws IOException {
        long size = storage.length(path);
        return openClosingOnError(ByteSource.of(storage.open(path), size, path));
    }

    private static SafetensorsReader openClosingOnError(ByteSource src) throws IOException {
        try {
            return new SafetensorsReader(src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- access

    /** Where the bytes come from (file name or description). */
    public String source() {
        return source.description();
    }

    /** All tensors in file order (unmodifiable). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} entries (unmodifiable; empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of a tensor; IllegalArgumentException naming the file if there is none. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source.description() + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** Offset of the data section from the start of the file. */
    public long dataStart() {
        return dataStart;
    }

    /** The raw little-endian bytes of a tensor (read-only; may be a memory map). */
    public ByteBuffer readRaw(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE - 8) {
            throw error("tensor '" + name + "': " + t.byteLength() + " bytes do not fit one Java buffer");
        }
        try {
            return source.read(dataStart + t.begin(), (int) t.byteLength()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        } catch (EOFException e) {
            throw new SafetensorsFormatException(source.description() + ": tensor '" + name
                    + "': file is shorter than when it was opened (expected " + t.byteLength() + " bytes at offset "
                    + (dataStart + t.begin()) + ")", e);
        }
    }

    /** A floating-point tensor as float32 (F16/BF16 widened exactly, F64 narrowed), row-major. */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = info(name);
        int n = arrayLength(t);
        ByteBuffer b = readRaw(name);
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32:
                b.asFloatBuffer().get(out);
                break;
            case F16:
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.halfToFloat(b.getShort(2 * i));
                }
                break;
            case BF16:
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
                }
                break;
            case F64:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
                break;
            default:
                throw new IllegalArgumentException(source.description() + ": tensor '" + name + "' is "
                        + t.dtype() + ", expected a floating-point dtype (F32, F16, BF16, F64)");
        }
        return out;
    }

    /** An integer or bool tensor widened to long (U64 values above 2^63-1 come out negative). */
    public long[] readLongs(String name) throws IOException {
        TensorInfo t = info(name);
        int n = arrayLength(t);
        ByteBuffer b = readRaw(name);
        long[] out = new long[n];
        switch (t.dtype()) {
            case I64:
            case U64:
                b.asLongBuffer().get(out);
                break;
            case I32:
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
                break;
            case U32:
                for (int i = 0; i < n; i++) {
                    out[i] = Integer.toUnsignedLong(b.getInt(4 * i));
                }
                break;
            case I16:
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
                break;
            case U16:
                for (int i = 0; i < n; i++) {
                    out[i] = Short.toUnsignedLong(b.getShort(2 * i));
                }
                break;
            case I8:
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
                break;
            case U8:
            case BOOL:
                for (int i = 0; i < n; i++) {
                    out[i] = Byte.toUnsignedLong(b.get(i));
                }
                break;
            default:
                throw new IllegalArgumentException(source.description() + ": tensor '" + name + "' is "
                        + t.dtype() + ", expected an integer or BOOL dtype");
        }
        return out;
    }

    /**
     * The tensor as an NDArray in the caller's manager, keeping its dtype (BF16 is widened to FLOAT32 because
     * not every engine creates bfloat16 arrays from buffers).
     */
    public NDArray readNDArray(String name, NDManager manager) throws IOException {
        Objects.requireNonNull(manager, "manager");
        TensorInfo t = info(name);
        Shape shape = new Shape(t.shape());
        if (t.dtype() == DType.BF16) {
            return manager.create(readFloats(name), shape);
        }
        ByteBuffer raw = readRaw(name);
        ByteBuffer direct = ByteBuffer.allocateDirect(raw.remaining()).order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.dtype().byteSize() == 1) {
            direct.put(raw.duplicate());
        } else {
            int w = t.dtype().byteSize();
            for (int i = 0; i < raw.remaining(); i += w) {
                for (int k = w - 1; k >= 0; k--) {
                    direct.put(raw.get(i + k));
                }
            }
        }
        direct.flip();
        return manager.create(direct, shape, djlType(t.dtype()));
    }

    static DataType djlType(DType d) {
        switch (d) {
            case F64: return DataType.FLOAT64;
            case F32: return DataType.FLOAT32;
            case F16: return DataType.FLOAT16;
            case BF16: return DataType.BFLOAT16;
            case I64: return DataType.INT64;
            case I32: return DataType.INT32;
            case I16: return DataType.INT16;
            case I8: return DataType.INT8;
            case U8: return DataType.UINT8;
            case BOOL: return DataType.BOOLEAN;
            case U16: return DataType.UINT16;
            case U32: return DataType.UINT32;
            case U64: return DataType.UINT64;
            default: throw new IllegalArgumentException("no DJL type for " + d);
        }
    }

    private int arrayLength(TensorInfo t) throws SafetensorsFormatException {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw error("tensor '" + t.name() + "': " + n + " elements do not fit one Java array");
        }
        return (int) n;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
