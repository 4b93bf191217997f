package io.sparklora.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.nn.TensorSource;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Hugging Face model directory on any Hadoop file system: {@code config.json} plus
 * {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}. Tensors are
 * read one at a time. Python pickles ({@code pytorch_model.bin}) are refused, never unpickled.
 */
public final class HfModelDir implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 64L << 20;

    private final String dir;
    private final String configJson;
    private final Map<String, SafetensorsReader> readerByTensor;
    private final List<SafetensorsReader> readers;

    private HfModelDir(String dir, String configJson, Map<String, SafetensorsReader> readerByTensor,
                       List<SafetensorsReader> readers) {
        this.dir = dir;
        this.configJson = configJson;
        this.readerByTensor = readerByTensor;
        this.readers = readers;
    }

    /**
     * @throws IOException naming the directory and the file that is missing or malformed
     */
    public static HfModelDir open(Storage storage, String dir) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dir, "dir");
        String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        if (!storage.exists(d + "/config.json")) {
            throw new IOException(d + ": no config.json (expected a Hugging Face model directory)");
        }
        String config = new String(storage.readAllBytes(d + "/config.json", MAX_JSON_BYTES), StandardCharsets.UTF_8);
        Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
        List<SafetensorsReader> readers = new ArrayList<>();
        try {
            if (storage.exists(d + "/model.safetensors")) {
                SafetensorsReader r = SafetensorsReader.open(storage, d + "/model.safetensors");
                readers.add(r);
                r.tensors().keySet().forEach(n -> byTensor.put(n, r));
            } else if (storage.exists(d + "/model.safetensors.index.json")) {
                openShards(storage, d, byTensor, readers);
            } else if (storage.exists(d + "/" + PICKLE) || storage.exists(d + "/" + PICKLE + ".index.json")) {
                throw new IOException(pickleRefusal(d));
            } else {
                throw new IOException(d + ": no model.safetensors or model.safetensors.index.json");
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsReader r : readers) {
                r.close();
            }
            throw e;
        }
        return new HfModelDir(d, config, byTensor, readers);
    }

    static final String PICKLE = "pytorch_model.bin";

    /** Why a pickle checkpoint is refused, and how to convert it once, outside sparklora. */
    static String pickleRefusal(String d) {
        return d + "/" + PICKLE + " is a Python pickle, which sparklora refuses to load (unpickling can run "
                + "arbitrary code). Convert it once to safetensors with Python, e.g. with Hugging Face transformers: "
                + "AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(OUT, safe_serialization=True) "
                + "(use the model's own class, e.g. AutoModelForSequenceClassification, so that the head is kept), "
                + "or without transformers: sd = torch.load('" + PICKLE + "', weights_only=True); "
                + "safetensors.torch.save_file({k: v.clone().contiguous() for k, v in sd.items()}, "
                + "'model.safetensors', metadata={'format': 'pt'}); then copy config.json next to it";
    }

    private static void openShards(Storage storage, String d, Map<String, SafetensorsReader> byTensor,
                                   List<SafetensorsReader> readers) throws IOException {
        String indexPath = d + "/model.safetensors.index.json";
        JsonNode index = JSON.readTree(storage.readAllBytes(indexPath, MAX_JSON_BYTES));
        JsonNode map = index.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new IOException(indexPath + ": no \"weight_map\" object");
        }
        Map<String, SafetensorsReader> byFile = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IOException(indexPath + ": tensor " + e.getKey() + " maps to " + e.getValue()
                        + ", expected a shard file name");
            }
            String file = e.getValue().asText();
            // Shards must be plain names in this directory: no path can escape it.
            if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.contains("..")
                    || file.contains(":")) {
                throw new IOException(indexPath + ": tensor " + e.getKey() + " names an invalid shard '" + file + "'");
            }
            SafetensorsReader r = byFile.get(file);
            if (r == null) {
                r = SafetensorsReader.open(storage, d + "/" + file);
                byFile.put(file, r);
                readers.add(r);
            }
            if (!r.contains(e.getKey())) {
                throw new IOException(indexPath + ": tensor " + e.getKey() + " is not in shard " + file);
            }
            byTensor.put(e.getKey(), r);
        }
    }

    public String path() {
        return dir;
    }

    /** The raw {@code config.json}. */
    public String configJson() {
        return configJson;
    }

    /**
     * The {@code model_type} of {@code config.json} (for example {@code gpt2}, {@code bert}).
     *
     * @throws IOException when config.json is not a JSON object with a string {@code model_type}
     */
    public String modelType() throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(configJson);
        } catch (IOException e) {
            throw new IOException(dir + "/config.json is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode t = root == null ? null : root.get("model_type");
        if (t == null || !t.isTextual() || t.asText().isBlank()) {
            throw new IOException(dir + "/config.json has no \"model_type\" string");
        }
        return t.asText();
    }

    /** The file that holds a tensor, for messages; null when there is no such tensor. */
    public String fileOf(String tensor) {
        SafetensorsReader r = readerByTensor.get(tensor);
        return r == null ? null : r.source();
    }

    /** The dtype and shape of a tensor. */
    public TensorInfo info(String tensor) {
        SafetensorsReader r = readerByTensor.get(tensor);
        if (r == null) {
            throw new IllegalArgumentException(dir + ": no tensor '" + tensor + "'");
        }
        return r.info(tensor);
    }

    /** A tensor's bytes exactly as stored (little-endian), for copying it unchanged. */
    public java.nio.ByteBuffer readRaw(String tensor) throws IOException {
        SafetensorsReader r = readerByTensor.get(tensor);
        if (r == null) {
            throw new IllegalArgumentException(dir + ": no tensor '" + tensor + "'");
        }
        return r.readRaw(tensor);
    }

    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(readerByTensor.keySet());
    }

    /** The tensors as a source that reads each one when asked. */
    public TensorSource tensors() {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return tensorNames();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                SafetensorsReader r = readerByTensor.get(name);
                if (r == null) {
                    throw new IllegalArgumentException(dir + ": no tensor '" + name + "'");
                }
                try {
                    return r.readNDArray(name, manager);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String description() {
                return dir;
            }
        };
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsReader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
