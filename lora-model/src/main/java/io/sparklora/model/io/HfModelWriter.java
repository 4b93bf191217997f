package io.sparklora.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a Hugging Face model directory that {@link HfModelDir} and {@code from_pretrained} read:
 * {@code model.safetensors}, or when the tensors exceed the shard size {@code model-0000i-of-0000n.safetensors}
 * plus {@code model.safetensors.index.json}; {@code config.json} is written last, so a directory with a
 * config is complete. Tensor bytes are produced one tensor at a time while writing ({@link
 * SafetensorsWriter#addLazy}), so a model never needs a second full copy in memory.
 */
public final class HfModelWriter {
    private static final Logger LOG = LoggerFactory.getLogger(HfModelWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hugging Face's default {@code max_shard_size} ("5GB"). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private record Item(String name, DType dtype, long[] shape, long bytes, SafetensorsWriter.TensorContent content) {}

    private final String configJson;
    private final List<Item> items = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** @param configJson the {@code config.json} text to write (checked to be a JSON object) */
    public HfModelWriter(String configJson) {
        Objects.requireNonNull(configJson, "configJson");
        try {
            if (!JSON.readTree(configJson).isObject()) {
                throw new IllegalArgumentException("config.json text is not a JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("config.json text is not valid JSON: " + e.getMessage(), e);
        }
        this.configJson = configJson;
    }

    /** Adds a tensor whose little-endian bytes {@code content} writes when the file is written. */
    public HfModelWriter add(String name, DType dtype, long[] shape, SafetensorsWriter.TensorContent content) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype of " + name);
        Objects.requireNonNull(shape, "shape of " + name);
        Objects.requireNonNull(content, "content of " + name);
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        items.add(new Item(name, dtype, shape.clone(), TensorInfo.numel(shape) * dtype.byteSize(), content));
        return this;
    }

    /** Adds bytes already in memory (copied now). */
    public HfModelWriter addRaw(String name, DType dtype, long[] shape, ByteBuffer littleEndian) {
        byte[] copy = new byte[littleEndian.remaining()];
        littleEndian.duplicate().get(copy);
        long expected = TensorInfo.numel(shape) * dtype.byteSize();
        if (copy.length != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + copy.length + " bytes, expected " + expected);
        }
        return add(name, dtype, shape, out -> out.write(copy));
    }

    public Set<String> tensorNames() {
        return java.util.Collections.unmodifiableSet(names);
    }

    /**
     * Writes the directory.
     *
     * @param overwrite when false, an existing {@code config.json} or weights file in {@code dir} is an error;
     *     when true, the model files sparklora writes (config, single file, index, numbered shards) are replaced
     *     and stale shards of an earlier write are deleted; other files are left alone
     * @param maxShardBytes tensors are split into shards of at most this many bytes (a larger tensor gets a
     *     shard of its own)
     */
    public void write(Storage storage, String dir, boolean overwrite, long maxShardBytes) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dir, "dir");
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be > 0, got " + maxShardBytes);
        }
        String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        List<String> existing = existingModelFiles(storage, d);
        if (!existing.isEmpty()) {
            if (!overwrite) {
                throw new FileAlreadyExistsException(d + "/" + existing.get(0), null,
                        "the directory already holds a model; pass overwrite (--force) to replace it");
            }
            for (String f : existing) {
                storage.delete(d + "/" + f, false);
            }
        }
        storage.mkdirs(d);
        List<List<Item>> shards = plan(maxShardBytes);
        long total = 0;
        if (shards.size() <= 1) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (Item it : items) {
                w.addLazy(it.name, it.dtype, it.shape, it.content);
                total += it.bytes;
            }
            w.write(storage, d + "/" + SINGLE);
        } else {
            ObjectNode index = JSON.createObjectNode();
            ObjectNode map = JSON.createObjectNode();
            for (int i = 0; i < shards.size(); i++) {
                String file = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
                SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
                for (Item it : shards.get(i)) {
                    w.addLazy(it.name, it.dtype, it.shape, it.content);
                    map.put(it.name, file);
                    total += it.bytes;
                }
                w.write(storage, d + "/" + file);
            }
            index.putObject("metadata").put("total_size", total);
            index.set("weight_map", map);
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
            storage.writeAtomically(d + "/" + INDEX, true, out -> out.write(json));
        }
        storage.writeAtomically(d + "/config.json", true, out -> out.write(configJson.getBytes(StandardCharsets.UTF_8)));
        LOG.info("wrote {} tensors ({} bytes) in {} file(s) to {}", items.size(), total, Math.max(1, shards.size()), d);
    }

    private List<List<Item>> plan(long maxShardBytes) {
        List<List<Item>> shards = new ArrayList<>();
        List<Item> cur = new ArrayList<>();
        long size = 0;
        for (Item it : items) {
            if (!cur.isEmpty() && size + it.bytes > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(it);
            size += it.bytes;
        }
        if (!cur.isEmpty()) {
            shards.add(cur);
        }
        return shards;
    }

    private static List<String> existingModelFiles(Storage storage, String d) throws IOException {
        List<String> out = new ArrayList<>();
        if (!storage.exists(d)) {
            return out;
        }
        if (!storage.isDirectory(d)) {
            throw new IOException(d + ": exists and is not a directory");
        }
        for (String p : storage.list(d)) {
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (name.equals("config.json") || name.equals(SINGLE) || name.equals(INDEX)
                    || name.matches("model-\\d{5}-of-\\d{5}\\.safetensors")) {
                out.add(name);
            }
        }
        return out;
    }
}
