package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.nn.TensorSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A minimal, test-only reader of an F32/I64 {@code .safetensors} file (under 2 GB, memory-mapped),
 * so that the real-model golden test does not wait for the production reader in
 * {@code io.sparklora.model.io}. Not for production use.
 */
final class SafetensorsTestSource implements TensorSource {
    private final Path file;
    private final MappedByteBuffer data;
    private final int base;
    private final Map<String, JsonNode> entries = new LinkedHashMap<>();

    SafetensorsTestSource(Path file) throws IOException {
        this.file = file;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new IOException(file + " is over 2 GB, which this test reader does not handle");
            }
            data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        data.order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = data.getLong(0);
        byte[] header = new byte[(int) headerLen];
        data.get(8, header);
        base = 8 + (int) headerLen;
        JsonNode root = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                entries.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        JsonNode t = entries.get(name);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        }
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        int begin = base + t.get("data_offsets").get(0).asInt();
        int end = base + t.get("data_offsets").get(1).asInt();
        ByteBuffer slice = ByteBuffer.allocateDirect(end - begin).order(ByteOrder.LITTLE_ENDIAN);
        slice.put(data.slice(begin, end - begin)).rewind();
        String dtype = t.get("dtype").asText();
        switch (dtype) {
            case "F32":
                return manager.create(slice, new Shape(shape), DataType.FLOAT32);
            case "I64":
                return manager.create(slice, new Shape(shape), DataType.INT64);
            default:
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has dtype " + dtype
                        + "; this test reader handles F32 and I64 only");
        }
    }

    @Override
    public String description() {
        return file.toString();
    }
}
