package io.sparklora.model.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hugging Face PEFT's adapter directory: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with keys {@code base_model.model.<module>.lora_A.weight},
 * {@code ...lora_B.weight}, and {@code base_model.model.<name>} for modules trained in full.
 *
 * <p>loralib's {@code MergedLinear} (GPT-2's c_attn with LoRA on q and v only) has no PEFT form. It is
 * written as the equivalent PEFT {@code c_attn} adapter of rank {@code r·nEnabled}: A is the stacked
 * A matrices, B is block-structured with zero blocks for the disabled groups, and alpha is scaled by
 * the same factor so α/r is unchanged (recorded in {@code rank_pattern}/{@code alpha_pattern}).
 * Reading converts back and refuses a B whose disabled blocks are not zero.
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapter() {}

    /** A tensor by value, row-major. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + data.length);
            }
        }
    }

    /** Facts about the base model that PEFT records. */
    public record Meta(String baseModel, String taskType, boolean fanInFanOut) {}

    /**
     * Writes an adapter directory (files written atomically, config last).
     *
     * @param trainable tensors by loralib name ({@code <module>.lora_A}, {@code <module>.lora_B}, head
     *     parameters), as the trainer holds them
     */
    public static void write(Map<String, Tensor> trainable, LoraSpec spec, Meta meta, Storage storage, String dir)
            throws IOException {
        Objects.requireNonNull(trainable, "trainable");
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        ObjectNode rankPattern = JSON.createObjectNode();
        ObjectNode alphaPattern = JSON.createObjectNode();
        spec.rankPattern().forEach(rankPattern::put);
        spec.alphaPattern().forEach(alphaPattern::put);
        for (Map.Entry<String, Tensor> e : trainable.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.endsWith(".lora_A") || name.endsWith(".lora_B")) {
                String module = name.substring(0, name.length() - ".lora_A".length());
                boolean isA = name.endsWith(".lora_A");
                boolean[] groups = spec.enableLoraFor(module);
                if (groups != null && !isA) {
                    int r = spec.configFor(module).r();
                    t = expandMergedB(t, groups, r);
                    int enabled = (int) t.shape()[1] / r;
                    rankPattern.put(module, r * enabled);
                    alphaPattern.put(module, spec.configFor(module).alpha() * enabled);
                }
                w.addFloats(PREFIX + module + (isA ? ".lora_A.weight" : ".lora_B.weight"), t.shape(), t.data());
            } else {
                w.addFloats(PREFIX + name, t.shape(), t.data());
            }
        }
        ObjectNode config = JSON.createObjectNode();
        config.put("peft_type", "LORA");
        config.put("task_type", meta.taskType());
        config.put("base_model_name_or_path", meta.baseModel());
        config.put("r", spec.r());
        config.put("lora_alpha", spec.alpha());
        config.put("lora_dropout", spec.dropout());
        ArrayNode targets = config.putArray("target_modules");
        if (spec.targetRegex() != null) {
            config.put("target_modules", spec.targetRegex());
        } else {
            spec.targetModules().forEach(targets::add);
        }
        config.put("bias", spec.bias().loralibName());
        config.put("fan_in_fan_out", meta.fanInFanOut());
        ArrayNode save = config.putArray("modules_to_save");
        spec.modulesToSave().forEach(save::add);
        config.set("rank_pattern", rankPattern);
        config.set("alpha_pattern", alphaPattern);
        config.put("inference_mode", true);
        config.put("init_lora_weights", true);
        config.put("use_rslora", false);
        config.put("use_dora", false);
        // sparklora's own note: how the q,v groups of fused projections were expanded.
        ObjectNode merged = config.putObject("sparklora_enable_lora");
        spec.enableLora().forEach((k, v) -> {
            ArrayNode a = merged.putArray(k);
            for (boolean b : v) {
                a.add(b);
            }
        });
        storage.mkdirs(dir);
        w.write(storage, dir + "/" + WEIGHTS);
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
        storage.writeAtomically(dir + "/" + CONFIG, true, out -> out.write(json));
    }

    /** An adapter read back: its config and its tensors under loralib names. */
    public record Loaded(JsonNode config, Map<String, Tensor> tensors) {}

    /**
     * Reads an adapter directory and converts PEFT keys to loralib names; for modules listed in
     * {@code enableLora} (by suffix) the rank-expanded B is folded back.
     *
     * @throws IOException naming the file and key when the adapter is malformed
     */
    public static Loaded read(Storage storage, String dir, Map<String, boolean[]> enableLora) throws IOException {
        String configPath = dir + "/" + CONFIG;
        if (!storage.exists(configPath)) {
            throw new IOException(dir + ": no " + CONFIG + " (expected a PEFT adapter directory)");
        }
        JsonNode config = JSON.readTree(storage.readAllBytes(configPath, 16L << 20));
        if (!config.isObject() || !"LORA".equals(config.path("peft_type").asText())) {
            throw new IOException(configPath + ": expected \"peft_type\": \"LORA\"");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(storage, dir + "/" + WEIGHTS)) {
            for (String key : r.tensors().keySet()) {
                if (!key.startsWith(PREFIX)) {
                    throw new IOException(dir + "/" + WEIGHTS + ": key '" + key + "' lacks the prefix " + PREFIX);
                }
                String name = key.substring(PREFIX.length());
                Tensor t = new Tensor(r.info(key).shape(), r.readFloats(key));
                if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) {
                    String module = name.substring(0, name.length() - ".lora_A.weight".length());
                    boolean isA = name.endsWith(".lora_A.weight");
                    boolean[] groups = groupsFor(enableLora, module);
                    if (groups != null && !isA) {
                        int ranks = 0;
                        for (boolean g : groups) {
                            ranks += g ? 1 : 0;
                        }
                        t = foldMergedB(t, groups, (int) t.shape()[1] / ranks, key);
                    }
                    out.put(module + (isA ? ".lora_A" : ".lora_B"), t);
                } else {
                    out.put(name, t);
                }
            }
        }
        return new Loaded(config, out);
    }

    private static boolean[] groupsFor(Map<String, boolean[]> enableLora, String module) {
        for (Map.Entry<String, boolean[]> e : enableLora.entrySet()) {
            if (module.equals(e.getKey()) || module.endsWith("." + e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** loralib B {@code [groupSize·nEnabled, r]} → PEFT B {@code [out, r·nEnabled]}, block-diagonal. */
    static Tensor expandMergedB(Tensor b, boolean[] groups, int r) {
        int enabled = 0;
        for (boolean g : groups) {
            enabled += g ? 1 : 0;
        }
        int groupSize = (int) b.shape()[0] / enabled;
        int out = groupSize * groups.length;
        int cols = r * enabled;
        float[] full = new float[out * cols];
        int e = 0;
        for (int g = 0; g < groups.length; g++) {
            if (!groups[g]) {
                continue;
            }
            for (int i = 0; i < groupSize; i++) {
                for (int k = 0; k < r; k++) {
                    full[(g * groupSize + i) * cols + e * r + k] = b.data()[(e * groupSize + i) * r + k];
                }
            }
            e++;
        }
        return new Tensor(new long[] {out, cols}, full);
    }

    static Tensor foldMergedB(Tensor full, boolean[] groups, int r, String key) throws IOException {
        int out = (int) full.shape()[0];
        int cols = (int) full.shape()[1];
        if (out % groups.length != 0) {
            throw new IOException(key + ": " + out + " rows do not split into " + groups.length + " groups");
        }
        int groupSize = out / groups.length;
        int enabled = cols / r;
        float[] b = new float[groupSize * enabled * r];
        int e = -1;
        for (int g = 0; g < groups.length; g++) {
            if (groups[g]) {
                e++;
            }
            for (int i = 0; i < groupSize; i++) {
                for (int c = 0; c < cols; c++) {
                    float v = full.data()[(g * groupSize + i) * cols + c];
                    boolean own = groups[g] && c / r == e;
                    if (own) {
                        b[(e * groupSize + i) * r + c % r] = v;
                    } else if (v != 0f) {
                        throw new IOException(key + ": value at row " + (g * groupSize + i) + ", column " + c
                                + " is " + v + "; a q,v-only adapter needs zeros outside its groups' blocks");
                    }
                }
            }
        }
        return new Tensor(new long[] {(long) groupSize * enabled, r}, b);
    }
}
