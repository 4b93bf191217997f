package io.sparklora.model.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraConfig;
import io.sparklora.model.lora.LoraLayer;
import io.sparklora.model.lora.LoraLinear;
import io.sparklora.model.lora.LoraMergedLinear;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Hugging Face PEFT's LoRA adapter directory: {@code adapter_config.json} and {@code adapter_model.safetensors}
 * with PEFT's keys, as {@code get_peft_model_state_dict} writes them (adapter name removed):
 * <ul>
 *   <li>{@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and {@code ...lora_B.weight}
 *       {@code [out, r]} for every LoRA linear layer;</li>
 *   <li>{@code base_model.model.<module>.<param>} for modules trained in full ({@code modules_to_save}; PEFT
 *       strips {@code modules_to_save.<adapter>.});</li>
 *   <li>biases trained with {@code bias = all / lora_only}: {@code base_model.model.<module>.base_layer.bias}
 *       for a LoRA layer (PEFT wraps the original layer as {@code base_layer}), {@code <module>.bias} otherwise.</li>
 * </ul>
 *
 * <p>loralib's {@code MergedLinear} (GPT-2's {@code c_attn} with LoRA on q and v only) has no PEFT form. It is
 * written as the equivalent PEFT {@code c_attn} adapter of rank {@code r' = r·nEnabled}: A' is the stacked A
 * matrices (loralib's A already is), B' is {@code [out, r']} block-structured with zero rows for the disabled
 * groups, and {@code alpha' = alpha·nEnabled}, so PEFT's scaling α'/r' equals α/r and
 * {@code (α'/r')·B'·A' = } loralib's ΔW exactly. When every LoRA layer has the same (r', α') they are the
 * config's {@code r} / {@code lora_alpha} (readers that ignore {@code rank_pattern}, such as vLLM, then get it
 * right); otherwise {@code rank_pattern} / {@code alpha_pattern} hold one exact-name entry per layer that differs.
 * The loralib view is recorded in the extra keys {@code sparklora_enable_lora} and {@code sparklora_loralib}
 * (recent PEFT versions ignore unknown keys with a warning). Reading folds B' back and refuses a B' whose
 * disabled blocks are not zero.
 */
public final class PeftAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PeftAdapter.class);

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** Prefix of every key: {@code PeftModel.base_model} (LoraModel) → {@code .model} (the wrapped model). */
    public static final String PREFIX = "base_model.model.";
    /** PEFT's {@code TaskType} values. */
    public static final Set<String> TASK_TYPES =
            Set.of("SEQ_CLS", "SEQ_2_SEQ_LM", "CAUSAL_LM", "TOKEN_CLS", "QUESTION_ANS", "FEATURE_EXTRACTION");
    static final String ENABLE_LORA_KEY = "sparklora_enable_lora";
    static final String LORALIB_KEY = "sparklora_loralib";
    private static final String A = ".lora_A";
    private static final String B = ".lora_B";
    private static final String BASE_LAYER = ".base_layer.";
    private static final long MAX_CONFIG_BYTES = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapter() {}

    /** A tensor by value, row-major. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + data.length);
            }
        }

        /** A copy of a parameter's current value. */
        public static Tensor of(Param p) {
            return new Tensor(p.shape().getShape(), p.array().toFloatArray());
        }
    }

    /**
     * Facts about the base model that PEFT records.
     *
     * @param baseModel {@code base_model_name_or_path} (a hub id or path), may be null
     * @param taskType one of {@link #TASK_TYPES} ({@code CAUSAL_LM} for GPT-2, {@code SEQ_CLS} for GLUE), or null
     * @param fanInFanOut true when the target layers store weights {@code [in, out]} (GPT-2's Conv1D)
     */
    public record Meta(String baseModel, String taskType, boolean fanInFanOut) {
        public Meta {
            if (taskType != null && !TASK_TYPES.contains(taskType)) {
                throw new IllegalArgumentException("task_type '" + taskType + "' is not one of PEFT's " + TASK_TYPES);
            }
        }

        /**
         * The meta of an injected model: {@code fan_in_fan_out} from its LoRA linear layers.
         *
         * @throws IllegalArgumentException when the model has no LoRA linear layer, or layers of both layouts
         */
        public static Meta of(Module model, String baseModel, String taskType) {
            Objects.requireNonNull(model, "model");
            Boolean fanInFanOut = null;
            for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
                if (e.getValue() instanceof LoraLayer && e.getValue() instanceof Linear) {
                    boolean f = ((Linear) e.getValue()).fanInFanOut();
                    if (fanInFanOut != null && fanInFanOut != f) {
                        throw new IllegalArgumentException("LoRA layer '" + e.getKey() + "' has fan_in_fan_out=" + f
                                + " unlike the layers before it; PEFT records one value per adapter");
                    }
                    fanInFanOut = f;
                }
            }
            if (fanInFanOut == null) {
                throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no LoRA linear layer");
            }
            return new Meta(baseModel, taskType, fanInFanOut);
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Writes the adapter of an injected model: every LoRA layer's A and B, and every other trainable parameter
     * ({@link Lora#trainableParameters}: biases, {@code modulesToSave}). Files are written atomically, the config
     * last.
     *
     * @param spec the spec the model was injected with (its settings go into {@code adapter_config.json})
     * @throws IllegalArgumentException when a LoRA layer disagrees with {@code spec} or {@code meta}, or is not a
     *     linear layer (PEFT's embedding/conv forms are not written)
     */
    public static void save(Module model, LoraSpec spec, Meta meta, Storage storage, String dir) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(meta, "meta");
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (!(e.getValue() instanceof LoraLayer)) {
                continue;
            }
            String name = e.getKey();
            checkLayerAgainstSpec(name, e.getValue(), spec, meta);
            Param a = e.getValue().param("lora_A");
            Param b = e.getValue().param("lora_B");
            if (a == null || b == null) {
                continue; // r = 0: a plain layer
            }
            trainable.put(name + A, Tensor.of(a));
            trainable.put(name + B, Tensor.of(b));
        }
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no LoRA layer to save");
        }
        Lora.trainableParameters(model).forEach((name, p) -> {
            if (!isLoraParam(name)) {
                trainable.put(name, Tensor.of(p));
            }
        });
        write(trainable, spec, meta, storage, dir);
    }

    private static void checkLayerAgainstSpec(String name, Module layer, LoraSpec spec, Meta meta) {
        if (!(layer instanceof LoraLinear) && !(layer instanceof LoraMergedLinear)) {
            throw new IllegalArgumentException("LoRA layer '" + name + "' is a " + layer.getClass().getSimpleName()
                    + "; PEFT export supports LoRA linear layers only");
        }
        LoraConfig have = ((LoraLayer) layer).loraConfig();
        if (!spec.isTarget(name)) {
            throw new IllegalArgumentException("LoRA layer '" + name + "' is not a target of " + spec);
        }
        LoraConfig want = spec.configFor(name);
        if (have.r() != want.r() || Float.compare(have.alpha(), want.alpha()) != 0) {
            throw new IllegalArgumentException("LoRA layer '" + name + "' has r=" + have.r() + ", alpha=" + have.alpha()
                    + " but the spec says r=" + want.r() + ", alpha=" + want.alpha());
        }
        boolean[] groups = layer instanceof LoraMergedLinear ? ((LoraMergedLinear) layer).enableLora() : null;
        if (!Arrays.equals(groups, spec.enableLoraFor(name))) {
            throw new IllegalArgumentException("LoRA layer '" + name + "' has enable_lora " + Arrays.toString(groups)
                    + " but the spec says " + Arrays.toString(spec.enableLoraFor(name)));
        }
        if (((Linear) layer).fanInFanOut() != meta.fanInFanOut()) {
            throw new IllegalArgumentException("LoRA layer '" + name + "' has fan_in_fan_out="
                    + ((Linear) layer).fanInFanOut() + " but meta says " + meta.fanInFanOut());
        }
    }

    /**
     * Writes an adapter directory (files written atomically, config last).
     *
     * @param trainable tensors by loralib name ({@code <module>.lora_A}, {@code <module>.lora_B}, biases and
     *     {@code modulesToSave} parameters), as the trainer holds them
     * @throws IllegalArgumentException naming the tensor when one is missing or mis-shaped for {@code spec}
     */
    public static void write(Map<String, Tensor> trainable, LoraSpec spec, Meta meta, Storage storage, String dir)
            throws IOException {
        Objects.requireNonNull(trainable, "trainable");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dir, "dir");
        // The LoRA modules and their PEFT-level rank and alpha.
        Map<String, float[]> peftRankAlpha = new LinkedHashMap<>();
        for (String name : trainable.keySet()) {
            if (name.endsWith(A) || name.endsWith(B)) {
                String module = name.substring(0, name.length() - A.length());
                String other = module + (name.endsWith(A) ? B : A);
                if (!trainable.containsKey(other)) {
                    throw new IllegalArgumentException("adapter tensors have " + name + " but no " + other);
                }
                if (!peftRankAlpha.containsKey(module)) {
                    LoraConfig cfg = spec.configFor(module);
                    int n = enabledCount(spec.enableLoraFor(module));
                    peftRankAlpha.put(module, new float[] {cfg.r() * n, cfg.alpha() * n});
                }
            } else if (isLoraParam(name)) {
                throw new IllegalArgumentException("tensor '" + name + "': only lora_A and lora_B of linear layers "
                        + "have a PEFT form");
            }
        }
        if (peftRankAlpha.isEmpty()) {
            throw new IllegalArgumentException("adapter tensors hold no lora_A/lora_B pair");
        }
        float[] first = peftRankAlpha.values().iterator().next();
        boolean uniform = peftRankAlpha.values().stream().allMatch(v -> Arrays.equals(v, first));
        int topR = uniform ? (int) first[0] : spec.r();
        float topAlpha = uniform ? first[1] : spec.alpha();
        ObjectNode rankPattern = JSON.createObjectNode();
        ObjectNode alphaPattern = JSON.createObjectNode();
        if (!uniform) {
            peftRankAlpha.forEach((module, v) -> {
                if ((int) v[0] != topR) {
                    rankPattern.put(exactPattern(module), (int) v[0]);
                }
                if (Float.compare(v[1], topAlpha) != 0) {
                    putNumber(alphaPattern, exactPattern(module), v[1]);
                }
            });
        }

        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (Map.Entry<String, Tensor> e : trainable.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.endsWith(A) || name.endsWith(B)) {
                String module = name.substring(0, name.length() - A.length());
                boolean isA = name.endsWith(A);
                int r = spec.configFor(module).r();
                boolean[] groups = spec.enableLoraFor(module);
                int n = enabledCount(groups);
                checkLoraShape(name, t, isA, r, n);
                if (!isA && groups != null) {
                    t = expandMergedB(t, groups, r);
                }
                w.addFloats(PREFIX + module + (isA ? ".lora_A.weight" : ".lora_B.weight"), t.shape(), t.data());
            } else {
                int dot = name.lastIndexOf('.');
                String module = dot < 0 ? "" : name.substring(0, dot);
                String key = peftRankAlpha.containsKey(module)
                        ? PREFIX + module + BASE_LAYER + name.substring(dot + 1) : PREFIX + name;
                if (!name.contains("bias") && !spec.isModuleToSave(module)) {
                    LOG.warn("adapter tensor {} is neither a bias nor in modules_to_save {}; PEFT loads it by name",
                            name, spec.modulesToSave());
                }
                w.addFloats(key, t.shape(), t.data());
            }
        }

        ObjectNode config = JSON.createObjectNode();
        config.put("peft_type", "LORA");
        if (meta.taskType() == null) {
            config.putNull("task_type");
        } else {
            config.put("task_type", meta.taskType());
        }
        config.put("base_model_name_or_path", meta.baseModel());
        config.putNull("revision");
        config.put("inference_mode", true);
        config.put("r", topR);
        if (spec.targetRegex() != null) {
            config.put("target_modules", spec.targetRegex());
        } else {
            ArrayNode targets = config.putArray("target_modules");
            spec.targetModules().forEach(targets::add);
        }
        putNumber(config, "lora_alpha", topAlpha);
        putNumber(config, "lora_dropout", spec.dropout());
        config.put("fan_in_fan_out", meta.fanInFanOut());
        config.put("bias", spec.bias().loralibName());
        config.put("use_rslora", false);
        if (spec.modulesToSave().isEmpty()) {
            config.putNull("modules_to_save");
        } else {
            ArrayNode save = config.putArray("modules_to_save");
            spec.modulesToSave().forEach(save::add);
        }
        config.put("init_lora_weights", true);
        config.putNull("layers_to_transform");
        config.putNull("layers_pattern");
        config.set("rank_pattern", rankPattern);
        config.set("alpha_pattern", alphaPattern);
        config.put("use_dora", false);
        if (!spec.enableLora().isEmpty()) {
            ObjectNode merged = config.putObject(ENABLE_LORA_KEY);
            spec.enableLora().forEach((k, v) -> {
                ArrayNode a = merged.putArray(k);
                for (boolean b : v) {
                    a.add(b);
                }
            });
            ObjectNode loralib = config.putObject(LORALIB_KEY);
            loralib.put("r", spec.r());
            putNumber(loralib, "lora_alpha", spec.alpha());
            ObjectNode rp = loralib.putObject("rank_pattern");
            spec.rankPattern().forEach(rp::put);
            ObjectNode ap = loralib.putObject("alpha_pattern");
            spec.alphaPattern().forEach((k, v) -> putNumber(ap, k, v));
        }
        storage.mkdirs(dir);
        w.write(storage, dir + "/" + WEIGHTS);
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
        storage.writeAtomically(dir + "/" + CONFIG, true, out -> out.write(json));
        LOG.info("wrote PEFT adapter ({} LoRA layers, r={}, lora_alpha={}) to {}", peftRankAlpha.size(), topR,
                topAlpha, dir);
    }

    private static void checkLoraShape(String name, Tensor t, boolean isA, int r, int n) {
        long[] s = t.shape();
        boolean ok = s.length == 2 && (isA ? s[0] == (long) r * n : s[1] == r && s[0] % n == 0);
        if (!ok) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(s) + ", expected "
                    + (isA ? "[" + (r * n) + ", in]" : "[out" + (n > 1 ? "·" + n + "/groups" : "") + ", " + r + "]"));
        }
    }

    /** A PEFT pattern key matching exactly this module (PEFT matches {@code (.*\.)?(key)$}). */
    static String exactPattern(String module) {
        return module.replace(".", "\\.");
    }

    private static void putNumber(ObjectNode node, String key, float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            node.put(key, (long) v);
        } else {
            node.put(key, (double) v);
        }
    }

    private static boolean isLoraParam(String name) {
        int dot = name.lastIndexOf('.');
        return name.substring(dot + 1).startsWith("lora_");
    }

    private static int enabledCount(boolean[] groups) {
        if (groups == null) {
            return 1;
        }
        int n = 0;
        for (boolean g : groups) {
            n += g ? 1 : 0;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** An adapter read back: its config and its tensors under loralib (model) names. */
    public record Loaded(JsonNode config, Map<String, Tensor> tensors) {}

    /**
     * Reads and checks {@code adapter_config.json}.
     *
     * @throws IOException naming the file when it is missing, not JSON, or not a LoRA adapter
     */
    public static JsonNode readConfig(Storage storage, String dir) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dir, "dir");
        String configPath = dir + "/" + CONFIG;
        if (!storage.exists(configPath)) {
            throw new IOException(dir + ": no " + CONFIG + " (expected a PEFT adapter directory)");
        }
        JsonNode config;
        try {
            config = JSON.readTree(storage.readAllBytes(configPath, MAX_CONFIG_BYTES));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(configPath + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (config == null || !config.isObject() || !"LORA".equals(config.path("peft_type").asText())) {
            throw new IOException(configPath + ": expected \"peft_type\": \"LORA\"");
        }
        return config;
    }

    /**
     * Reads an adapter directory and converts PEFT keys to loralib names; for modules listed in
     * {@code enableLora} (by name suffix) the rank-expanded B is folded back.
     *
     * @throws IOException naming the file and key when the adapter is malformed
     */
    public static Loaded read(Storage storage, String dir, Map<String, boolean[]> enableLora) throws IOException {
        Objects.requireNonNull(enableLora, "enableLora");
        JsonNode config = readConfig(storage, dir);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(storage, dir + "/" + WEIGHTS)) {
            for (String key : r.tensors().keySet()) {
                String name = stripPrefix(key, dir);
                Tensor t = new Tensor(r.info(key).shape(), r.readFloats(key));
                if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) {
                    String module = name.substring(0, name.length() - ".lora_A.weight".length());
                    boolean isA = name.endsWith(".lora_A.weight");
                    boolean[] groups = groupsFor(enableLora, module);
                    if (groups != null && !isA) {
                        int n = enabledCount(groups);
                        if (t.shape().length != 2 || t.shape()[1] % n != 0) {
                            throw new IOException(dir + "/" + WEIGHTS + ": " + key + " has shape "
                                    + Arrays.toString(t.shape()) + ", expected [out, r·" + n + "]");
                        }
                        t = foldMergedB(t, groups, (int) t.shape()[1] / n, key);
                    }
                    put(out, module + (isA ? A : B), t, key);
                } else {
                    put(out, name.replace(BASE_LAYER, "."), t, key);
                }
            }
        }
        return new Loaded(config, out);
    }

    private static void put(Map<String, Tensor> out, String name, Tensor t, String key) throws IOException {
        if (out.put(name, t) != null) {
            throw new IOException(key + ": a second tensor for " + name);
        }
    }

    private static String stripPrefix(String key, String dir) throws IOException {
        if (!key.startsWith(PREFIX)) {
            throw new IOException(dir + "/" + WEIGHTS + ": key '" + key + "' lacks the prefix " + PREFIX
                    + " (expected a PEFT LoRA adapter saved from a PeftModel)");
        }
        return key.substring(PREFIX.length());
    }

    private static boolean[] groupsFor(Map<String, boolean[]> enableLora, String module) {
        for (Map.Entry<String, boolean[]> e : enableLora.entrySet()) {
            if (module.equals(e.getKey()) || module.endsWith("." + e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * The {@link LoraSpec} an adapter config describes, to inject LoRA into a fresh model before
     * {@link #loadInto}. A sparklora q,v adapter comes back as the loralib {@code MergedLinear} spec it was written
     * from (via {@code sparklora_enable_lora} / {@code sparklora_loralib}).
     *
     * @throws IllegalArgumentException naming the key for settings sparklora does not implement (DoRA, rsLoRA,
     *     layers_to_transform, exclude_modules, "all-linear", target_parameters, lora_bias)
     */
    public static LoraSpec specFromConfig(JsonNode config, String source) {
        Objects.requireNonNull(config, "config");
        String src = source == null ? CONFIG : source;
        refuseIfSet(config, "use_dora", src);
        refuseIfSet(config, "use_rslora", src);
        refuseIfSet(config, "lora_bias", src);
        refuseIfSet(config, "layers_to_transform", src);
        refuseIfSet(config, "exclude_modules", src);
        refuseIfSet(config, "target_parameters", src);
        if (!"LORA".equals(config.path("peft_type").asText())) {
            throw new IllegalArgumentException(src + ": expected \"peft_type\": \"LORA\"");
        }
        JsonNode loralib = config.path(LORALIB_KEY);
        JsonNode base = loralib.isObject() ? loralib : config;
        LoraSpec.Builder b = LoraSpec.builder()
                .r(intField(base, "r", 8, src))
                .alpha(floatField(base, "lora_alpha", 8, src))
                .dropout(floatField(config, "lora_dropout", 0, src))
                .bias(Bias.parse(config.path("bias").asText("none")));
        JsonNode targets = config.get("target_modules");
        if (targets == null || targets.isNull()) {
            throw new IllegalArgumentException(src + ": no \"target_modules\"");
        } else if (targets.isTextual()) {
            if (targets.asText().equals("all-linear")) {
                throw new IllegalArgumentException(src + ": target_modules \"all-linear\" is not supported; "
                        + "list the module names");
            }
            b.targetRegex(targets.asText());
        } else if (targets.isArray()) {
            for (JsonNode t : targets) {
                b.targetModules(t.asText());
            }
        } else {
            throw new IllegalArgumentException(src + ": \"target_modules\" must be a list or a regex string");
        }
        JsonNode save = config.get("modules_to_save");
        if (save != null && save.isArray()) {
            for (JsonNode m : save) {
                b.modulesToSave(m.asText());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = base.path("rank_pattern").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.rankPattern(e.getKey(), intField(base.path("rank_pattern"), e.getKey(), 0, src));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = base.path("alpha_pattern").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.alphaPattern(e.getKey(), floatField(base.path("alpha_pattern"), e.getKey(), 0, src));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path(ENABLE_LORA_KEY).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray()) {
                throw new IllegalArgumentException(src + ": " + ENABLE_LORA_KEY + "." + e.getKey()
                        + " must be a list of booleans");
            }
            boolean[] groups = new boolean[e.getValue().size()];
            for (int i = 0; i < groups.length; i++) {
                groups[i] = e.getValue().get(i).asBoolean();
            }
            b.enableLora(e.getKey(), groups);
        }
        return b.build();
    }

    private static void refuseIfSet(JsonNode config, String key, String src) {
        JsonNode v = config.get(key);
        boolean set = v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean())
                && !((v.isArray() || v.isObject()) && v.isEmpty());
        if (set) {
            throw new IllegalArgumentException(src + ": \"" + key + "\": " + v + " is not supported by sparklora");
        }
    }

    private static int intField(JsonNode node, String key, int dflt, String src) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || v.asDouble() != Math.rint(v.asDouble())) {
            throw new IllegalArgumentException(src + ": \"" + key + "\" must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static float floatField(JsonNode node, String key, float dflt, String src) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(src + ": \"" + key + "\" must be a number, got " + v);
        }
        return (float) v.asDouble();
    }

    /**
     * Loads an adapter into a model that already has LoRA injected (with {@code spec}, e.g. from
     * {@link #specFromConfig}), to continue training or to evaluate. Every adapter tensor must map to a parameter
     * of the right shape; every LoRA parameter of the model, and every parameter of its {@code modulesToSave},
     * must be in the adapter; each LoRA layer's scaling must equal the adapter's α/r. Nothing is loaded unless
     * all checks pass.
     *
     * @return the config and the loaded tensors by model name
     * @throws IllegalArgumentException naming the key, parameter or module that does not fit
     * @throws IllegalStateException when a LoRA layer is merged (call {@code train()} first)
     */
    public static Loaded loadInto(Module model, LoraSpec spec, Storage storage, String dir) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(spec, "spec");
        JsonNode config = readConfig(storage, dir);
        String weights = dir + "/" + WEIGHTS;
        Map<String, Param> params = model.namedParameters();
        Map<String, Module> modules = model.namedModules();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            if (e.getValue() instanceof LoraLayer && ((LoraLayer) e.getValue()).isMerged()) {
                throw new IllegalStateException("LoRA layer '" + e.getKey() + "' has ΔW merged into its weight; "
                        + "call train() before loading an adapter");
            }
        }
        checkScaling(config, modules, dir + "/" + CONFIG);
        Map<String, Tensor> values = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(storage, weights)) {
            for (String key : r.tensors().keySet()) {
                String name = stripPrefix(key, dir);
                String target = modelName(name);
                Param p = params.get(target);
                if (p == null) {
                    throw new IllegalArgumentException(weights + ": tensor '" + key + "' (model name '" + target
                            + "') matches no parameter of " + model.getClass().getSimpleName());
                }
                Tensor t = new Tensor(r.info(key).shape(), r.readFloats(key));
                int dot = target.lastIndexOf('.');
                Module owner = modules.get(dot < 0 ? "" : target.substring(0, dot));
                if (owner instanceof LoraMergedLinear && target.endsWith(B)) {
                    LoraMergedLinear m = (LoraMergedLinear) owner;
                    int rank = m.loraConfig().r();
                    long[] s = t.shape();
                    if (s.length != 2 || s[0] != m.outFeatures() || s[1] != (long) rank * enabledCount(m.enableLora())) {
                        throw new IllegalArgumentException(weights + ": tensor '" + key + "' has shape "
                                + Arrays.toString(s) + ", expected [" + m.outFeatures() + ", "
                                + rank * enabledCount(m.enableLora()) + "] (PEFT form of a q,v-only layer)");
                    }
                    t = foldMergedB(t, m.enableLora(), rank, key);
                }
                if (!Arrays.equals(t.shape(), p.shape().getShape())) {
                    throw new IllegalArgumentException(weights + ": tensor '" + key + "' has shape "
                            + Arrays.toString(t.shape()) + ", expected " + p.shape() + " for parameter " + target);
                }
                if (values.put(target, t) != null) {
                    throw new IllegalArgumentException(weights + ": tensor '" + key + "' is a second value for " + target);
                }
            }
        }
        Set<String> missing = new TreeSet<>();
        params.forEach((name, p) -> {
            int dot = name.lastIndexOf('.');
            String module = dot < 0 ? "" : name.substring(0, dot);
            if (!values.containsKey(name) && (isLoraParam(name) || isUnderModuleToSave(module, spec))) {
                missing.add(name);
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(weights + " lacks tensors for these parameters of the model: " + missing);
        }
        values.forEach((name, t) -> params.get(name).load(name, t.data()));
        LOG.info("loaded {} adapter tensors from {}", values.size(), dir);
        return new Loaded(config, values);
    }

    private static boolean isUnderModuleToSave(String module, LoraSpec spec) {
        for (String m = module; !m.isEmpty(); m = m.contains(".") ? m.substring(0, m.lastIndexOf('.')) : "") {
            if (spec.isModuleToSave(m)) {
                return true;
            }
        }
        return false;
    }

    /** PEFT name (prefix stripped) → model parameter name. */
    private static String modelName(String name) {
        if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) {
            return name.substring(0, name.length() - ".weight".length());
        }
        return name.replace(BASE_LAYER, ".");
    }

    /** Every LoRA layer's α/r must equal the adapter's PEFT-level α'/r' for that module, and r' its rank. */
    private static void checkScaling(JsonNode config, Map<String, Module> modules, String source) {
        int r = intField(config, "r", 8, source);
        float alpha = floatField(config, "lora_alpha", 8, source);
        List<String> rankKeys = new ArrayList<>();
        config.path("rank_pattern").fieldNames().forEachRemaining(rankKeys::add);
        List<String> alphaKeys = new ArrayList<>();
        config.path("alpha_pattern").fieldNames().forEachRemaining(alphaKeys::add);
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            if (!(e.getValue() instanceof LoraLayer)) {
                continue;
            }
            String name = e.getKey();
            LoraConfig have = ((LoraLayer) e.getValue()).loraConfig();
            if (have.r() == 0) {
                continue;
            }
            String rk = patternKey(rankKeys, name);
            String ak = patternKey(alphaKeys, name);
            int peftR = rk == null ? r : intField(config.path("rank_pattern"), rk, r, source);
            float peftAlpha = ak == null ? alpha : floatField(config.path("alpha_pattern"), ak, alpha, source);
            int n = e.getValue() instanceof LoraMergedLinear ? enabledCount(((LoraMergedLinear) e.getValue()).enableLora()) : 1;
            float s = peftAlpha / peftR;
            if (peftR != have.r() * n || Math.abs(s - have.scaling()) > 1e-6f * Math.max(1f, Math.abs(s))) {
                throw new IllegalArgumentException(source + ": module '" + name + "' has r=" + peftR + ", lora_alpha="
                        + peftAlpha + " in the adapter, but the model's LoRA layer has r=" + have.r()
                        + (n > 1 ? " (×" + n + " groups)" : "") + ", alpha=" + have.alpha());
            }
        }
    }

    /** PEFT's {@code get_pattern_key}: the first key k with {@code re.match(r"(.*\.)?(k)$", name)}. */
    static String patternKey(List<String> keys, String name) {
        for (String k : keys) {
            if (Pattern.compile("(.*\\.)?(" + k + ")").matcher(name).matches()) {
                return k;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ q,v ↔ PEFT

    /** loralib B {@code [groupSize·nEnabled, r]} → PEFT B {@code [out, r·nEnabled]}, block-structured. */
    static Tensor expandMergedB(Tensor b, boolean[] groups, int r) {
        int enabled = enabledCount(groups);
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

    /** PEFT B {@code [out, r·nEnabled]} → loralib B; fails naming {@code key} on a non-zero off-block value. */
    static Tensor foldMergedB(Tensor full, boolean[] groups, int r, String key) throws IllegalArgumentException {
        int out = (int) full.shape()[0];
        int cols = (int) full.shape()[1];
        if (out % groups.length != 0) {
            throw new IllegalArgumentException(key + ": " + out + " rows do not split into " + groups.length + " groups");
        }
        int groupSize = out / groups.length;
        int enabled = enabledCount(groups);
        if (cols != r * enabled) {
            throw new IllegalArgumentException(key + ": " + cols + " columns, expected r·groups = " + r * enabled);
        }
        float[] b = new float[groupSize * enabled * r];
        int e = -1;
        for (int g = 0; g < groups.length; g++) {
            if (groups[g]) {
                e++;
            }
            for (int i = 0; i < groupSize; i++) {
                for (int c = 0; c < cols; c++) {
                    float v = full.data()[(g * groupSize + i) * cols + c];
                    if (groups[g] && c / r == e) {
                        b[(e * groupSize + i) * r + c % r] = v;
                    } else if (v != 0f) {
                        throw new IllegalArgumentException(key + ": value at row " + (g * groupSize + i) + ", column "
                                + c + " is " + v + "; a q,v-only (enable_lora " + Arrays.toString(groups)
                                + ") adapter needs zeros outside its groups' blocks");
                    }
                }
            }
        }
        return new Tensor(new long[] {(long) groupSize * enabled, r}, b);
    }

    /** Module names that hold LoRA layers, in model order. */
    static Set<String> loraModules(Module model) {
        Set<String> out = new LinkedHashSet<>();
        model.namedModules().forEach((n, m) -> {
            if (m instanceof LoraLayer) {
                out.add(n);
            }
        });
        return out;
    }
}
