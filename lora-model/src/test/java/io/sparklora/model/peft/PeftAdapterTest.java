package io.sparklora.model.peft;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Module;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PEFT adapter directories: key names and shapes, the q,v ↔ rank-2r conversion, and save → load round trips. */
class PeftAdapterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PeftAdapter.Meta META = new PeftAdapter.Meta("tiny-gpt2", "CAUSAL_LM", true);
    private static final Storage FS = Storage.local();

    @TempDir
    static Path tmp;
    private static Path base;
    private static NDManager root;

    @BeforeAll
    static void setUp() throws IOException {
        root = NDManager.newBaseManager();
        base = tmp.resolve("base");
        TinyCheckpoints.writeBase(base, 11);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    static LoraSpec qv() {
        return LoraSpec.builder().targetModules("c_attn").enableLora("c_attn", true, false, true).r(4).alpha(16).build();
    }

    private static Gpt2LMHeadModel injected(NDManager m, LoraSpec spec, long loraSeed) throws IOException {
        Gpt2LMHeadModel model = TinyCheckpoints.load(base, m);
        LoraInjector.inject(model, spec);
        if (loraSeed != 0) {
            TinyCheckpoints.randomizeLora(model, loraSeed);
        }
        return model;
    }

    /** Saves the adapter of a LoRA model, loads it into a fresh model with other LoRA values, compares logits. */
    private static JsonNode roundTrip(LoraSpec spec, Path dir) throws IOException {
        try (NDManager m1 = root.newSubManager(); NDManager m2 = root.newSubManager();
             NDManager m0 = root.newSubManager()) {
            Gpt2LMHeadModel trained = injected(m1, spec, 5);
            float[] expected = TinyCheckpoints.logits(trained);
            float[] plain = TinyCheckpoints.logits(TinyCheckpoints.load(base, m0));
            assertTrue(TinyCheckpoints.maxAbsDiff(expected, plain) > 1e-2, "LoRA must change the logits");
            PeftAdapter.save(trained, spec, META, FS, dir.toString());

            JsonNode config = PeftAdapter.readConfig(FS, dir.toString());
            LoraSpec read = PeftAdapter.specFromConfig(config, "adapter_config.json");
            Gpt2LMHeadModel fresh = injected(m2, read, 99);
            assertTrue(TinyCheckpoints.maxAbsDiff(expected, TinyCheckpoints.logits(fresh)) > 1e-2);
            PeftAdapter.loadInto(fresh, read, FS, dir.toString());
            assertArrayEquals(expected, TinyCheckpoints.logits(fresh), 0f, "logits after save → load");
            return config;
        }
    }

    @Test
    void qvAdapterRoundTripGivesIdenticalLogits() throws IOException {
        JsonNode config = roundTrip(qv(), tmp.resolve("qv"));
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals("CAUSAL_LM", config.get("task_type").asText());
        assertTrue(config.get("fan_in_fan_out").asBoolean());
    }

    @Test
    void qvAdapterIsPeftRank2rWithUnchangedScaling() throws IOException {
        Path dir = tmp.resolve("qv-form");
        int r = 4;
        float alpha = 16;
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel model = injected(m, qv(), 7);
            PeftAdapter.save(model, qv(), META, FS, dir.toString());
            JsonNode config = PeftAdapter.readConfig(FS, dir.toString());
            // Every LoRA layer is q,v-only, so the top level carries 2r and 2α and no pattern is needed.
            assertEquals(2 * r, config.get("r").asInt());
            assertEquals(2 * alpha, config.get("lora_alpha").floatValue());
            assertTrue(config.get("rank_pattern").isEmpty());
            assertTrue(config.get("alpha_pattern").isEmpty());
            assertEquals(List.of("c_attn"), List.of(config.get("target_modules").get(0).asText()));
            float peftScaling = config.get("lora_alpha").floatValue() / config.get("r").asInt();
            assertEquals(alpha / r, peftScaling, 0f);

            try (SafetensorsReader f = SafetensorsReader.open(dir.resolve(PeftAdapter.WEIGHTS))) {
                Set<String> want = new TreeSet<>();
                for (int layer = 0; layer < 2; layer++) {
                    want.add("base_model.model.transformer.h." + layer + ".attn.c_attn.lora_A.weight");
                    want.add("base_model.model.transformer.h." + layer + ".attn.c_attn.lora_B.weight");
                }
                assertEquals(want, new TreeSet<>(f.tensors().keySet()));
                for (int layer = 0; layer < 2; layer++) {
                    String p = "base_model.model.transformer.h." + layer + ".attn.c_attn.";
                    assertArrayEquals(new long[] {2 * r, 32}, f.info(p + "lora_A.weight").shape());
                    assertArrayEquals(new long[] {96, 2 * r}, f.info(p + "lora_B.weight").shape());
                    float[] a = f.readFloats(p + "lora_A.weight");
                    float[] b = f.readFloats(p + "lora_B.weight");
                    for (int row = 32; row < 64; row++) {
                        for (int c = 0; c < 2 * r; c++) {
                            assertEquals(0f, b[row * 2 * r + c], "k row " + row + " of B' must be zero");
                        }
                    }
                    // PEFT's ΔW = (α'/r')·B'·A' [96, 32] against the model's own merge (eval folds ΔW into W).
                    double[] peftDelta = new double[96 * 32];
                    for (int o = 0; o < 96; o++) {
                        for (int i = 0; i < 32; i++) {
                            double acc = 0;
                            for (int k = 0; k < 2 * r; k++) {
                                acc += (double) b[o * 2 * r + k] * a[k * 32 + i];
                            }
                            peftDelta[o * 32 + i] = peftScaling * acc;
                        }
                    }
                    String w = "transformer.h." + layer + ".attn.c_attn.weight";
                    float[] before = model.namedParameters().get(w).array().toFloatArray();
                    model.eval();
                    float[] after = model.namedParameters().get(w).array().toFloatArray();
                    model.train();
                    double maxDelta = 0;
                    for (int i = 0; i < 32; i++) {
                        for (int o = 0; o < 96; o++) {
                            double modelDelta = after[i * 96 + o] - before[i * 96 + o]; // Conv1D layout [in, out]
                            assertEquals(modelDelta, peftDelta[o * 32 + i], 1e-6, "ΔW[" + o + "," + i + "]");
                            maxDelta = Math.max(maxDelta, Math.abs(modelDelta));
                        }
                    }
                    assertTrue(maxDelta > 1e-2, "ΔW must be non-trivial");
                }
            }
        }
    }

    @Test
    void plainPeftAdapterOnCAttnAndCProjRoundTrips() throws IOException {
        LoraSpec spec = LoraSpec.builder().targetModules("c_attn", "c_proj").r(4).alpha(8).build();
        Path dir = tmp.resolve("plain");
        JsonNode config = roundTrip(spec, dir);
        assertEquals(4, config.get("r").asInt());
        assertEquals(8, config.get("lora_alpha").asInt());
        assertFalse(config.has(PeftAdapter.ENABLE_LORA_KEY));
        try (SafetensorsReader f = SafetensorsReader.open(dir.resolve(PeftAdapter.WEIGHTS))) {
            // c_proj matches both attn.c_proj and mlp.c_proj, as in PEFT.
            assertEquals(12, f.tensors().size());
            assertArrayEquals(new long[] {4, 128}, f.info("base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {32, 4}, f.info("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {96, 4}, f.info("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight").shape());
        }
    }

    @Test
    void mixedRanksUsePerModulePatternsAndBiasesGoUnderBaseLayer() throws IOException {
        LoraSpec spec = LoraSpec.builder().targetModules("c_attn", "c_fc").enableLora("c_attn", true, false, true)
                .r(4).alpha(16).rankPattern("c_fc", 2).bias(io.sparklora.model.lora.Bias.LORA_ONLY)
                .modulesToSave("ln_f").build();
        Path dir = tmp.resolve("mixed");
        JsonNode config = roundTrip(spec, dir);
        assertEquals(4, config.get("r").asInt());
        // c_attn: r' = 8, α' = 32; c_fc: r = 2, α = 16 (the default α): exact-name entries for both.
        assertEquals(8, config.get("rank_pattern").get("transformer\\.h\\.0\\.attn\\.c_attn").asInt());
        assertEquals(32, config.get("alpha_pattern").get("transformer\\.h\\.1\\.attn\\.c_attn").asInt());
        assertEquals(2, config.get("rank_pattern").get("transformer\\.h\\.0\\.mlp\\.c_fc").asInt());
        assertFalse(config.get("alpha_pattern").has("transformer\\.h\\.0\\.mlp\\.c_fc"));
        assertEquals("lora_only", config.get("bias").asText());
        assertEquals("ln_f", config.get("modules_to_save").get(0).asText());
        try (SafetensorsReader f = SafetensorsReader.open(dir.resolve(PeftAdapter.WEIGHTS))) {
            Set<String> keys = f.tensors().keySet();
            assertTrue(keys.contains("base_model.model.transformer.h.0.attn.c_attn.base_layer.bias"), keys.toString());
            assertTrue(keys.contains("base_model.model.transformer.h.1.mlp.c_fc.base_layer.bias"));
            assertTrue(keys.contains("base_model.model.transformer.ln_f.weight"));
            assertTrue(keys.contains("base_model.model.transformer.ln_f.bias"));
            assertFalse(keys.contains("base_model.model.transformer.h.0.attn.c_proj.bias"));
        }
        // PEFT's pattern rule picks the exact entries written for each module.
        List<String> keys = List.of("transformer\\.h\\.0\\.attn\\.c_attn", "transformer\\.h\\.0\\.mlp\\.c_fc");
        assertEquals(keys.get(0), PeftAdapter.patternKey(keys, "transformer.h.0.attn.c_attn"));
        assertEquals(null, PeftAdapter.patternKey(keys, "transformer.h.10.attn.c_attn"));
    }

    @Test
    void readConvertsBackToLoralibNames() throws IOException {
        Path dir = tmp.resolve("read");
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel model = injected(m, qv(), 3);
            PeftAdapter.save(model, qv(), META, FS, dir.toString());
            PeftAdapter.Loaded loaded = PeftAdapter.read(FS, dir.toString(), qv().enableLora());
            String b = "transformer.h.1.attn.c_attn.lora_B";
            assertArrayEquals(new long[] {64, 4}, loaded.tensors().get(b).shape());
            assertArrayEquals(model.namedParameters().get(b).array().toFloatArray(), loaded.tensors().get(b).data(), 0f);
        }
    }

    @Test
    void loadIntoNamesUnknownMisShapedAndMissingTensors() throws IOException {
        Path good = tmp.resolve("good");
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel model = injected(m, qv(), 3);
            PeftAdapter.save(model, qv(), META, FS, good.toString());
            byte[] config = Files.readAllBytes(good.resolve(PeftAdapter.CONFIG));
            Map<String, PeftAdapter.Tensor> tensors;
            try (SafetensorsReader f = SafetensorsReader.open(good.resolve(PeftAdapter.WEIGHTS))) {
                tensors = new java.util.LinkedHashMap<>();
                for (String k : f.tensors().keySet()) {
                    tensors.put(k, new PeftAdapter.Tensor(f.info(k).shape(), f.readFloats(k)));
                }
            }
            String key = "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight";

            Map<String, PeftAdapter.Tensor> unknown = new java.util.LinkedHashMap<>(tensors);
            unknown.put("base_model.model.transformer.h.0.attn.c_q.lora_A.weight", tensors.get(key));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loadVariant(m, config, unknown, "unknown"));
            assertTrue(e.getMessage().contains("transformer.h.0.attn.c_q.lora_A.weight"), e.getMessage());

            Map<String, PeftAdapter.Tensor> misShaped = new java.util.LinkedHashMap<>(tensors);
            misShaped.put(key, new PeftAdapter.Tensor(new long[] {16, 16}, tensors.get(key).data()));
            e = assertThrows(IllegalArgumentException.class, () -> loadVariant(m, config, misShaped, "shape"));
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("[16, 16]"), e.getMessage());

            Map<String, PeftAdapter.Tensor> missing = new java.util.LinkedHashMap<>(tensors);
            missing.remove("base_model.model.transformer.h.1.attn.c_attn.lora_B.weight");
            e = assertThrows(IllegalArgumentException.class, () -> loadVariant(m, config, missing, "missing"));
            assertTrue(e.getMessage().contains("transformer.h.1.attn.c_attn.lora_B"), e.getMessage());

            Map<String, PeftAdapter.Tensor> kNotZero = new java.util.LinkedHashMap<>(tensors);
            String bKey = "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight";
            float[] b = tensors.get(bKey).data().clone();
            b[40 * 8 + 1] = 0.5f; // a k row
            kNotZero.put(bKey, new PeftAdapter.Tensor(tensors.get(bKey).shape(), b));
            e = assertThrows(IllegalArgumentException.class, () -> loadVariant(m, config, kNotZero, "knz"));
            assertTrue(e.getMessage().contains(bKey) && e.getMessage().contains("row 40"), e.getMessage());

            // A fresh model with a different alpha must not silently take the adapter.
            LoraSpec otherAlpha = LoraSpec.builder().targetModules("c_attn").enableLora("c_attn", true, false, true)
                    .r(4).alpha(8).build();
            Gpt2LMHeadModel other = injected(m, otherAlpha, 0);
            e = assertThrows(IllegalArgumentException.class,
                    () -> PeftAdapter.loadInto(other, otherAlpha, FS, good.toString()));
            assertTrue(e.getMessage().contains("transformer.h.0.attn.c_attn"), e.getMessage());

            // Merged layers would get the new values on top of an old ΔW.
            model.eval();
            assertThrows(IllegalStateException.class, () -> PeftAdapter.loadInto(model, qv(), FS, good.toString()));
        }
    }

    private static void loadVariant(NDManager m, byte[] config, Map<String, PeftAdapter.Tensor> tensors, String name)
            throws IOException {
        Path dir = tmp.resolve("variant-" + name);
        Files.createDirectories(dir);
        Files.write(dir.resolve(PeftAdapter.CONFIG), config);
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((k, t) -> w.addFloats(k, t.shape(), t.data()));
        w.write(dir.resolve(PeftAdapter.WEIGHTS));
        Gpt2LMHeadModel fresh = injected(m, qv(), 0);
        PeftAdapter.loadInto(fresh, qv(), FS, dir.toString());
    }

    @Test
    void specFromConfigReadsHuggingFaceConfigsAndRefusesWhatIsNotImplemented() throws IOException {
        JsonNode hf = JSON.readTree("{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": 8, "
                + "\"lora_alpha\": 32, \"lora_dropout\": 0.05, \"target_modules\": [\"c_attn\"], \"bias\": \"none\", "
                + "\"fan_in_fan_out\": true, \"modules_to_save\": null, \"rank_pattern\": {\"h.1.attn.c_attn\": 4}, "
                + "\"alpha_pattern\": {}, \"use_dora\": false, \"use_rslora\": false, \"layers_to_transform\": null}");
        LoraSpec spec = PeftAdapter.specFromConfig(hf, "hf");
        assertEquals(8, spec.configFor("transformer.h.0.attn.c_attn").r());
        assertEquals(4, spec.configFor("transformer.h.1.attn.c_attn").r());
        assertEquals(32f, spec.alpha());
        assertEquals(0.05f, spec.dropout(), 1e-7);
        assertTrue(spec.enableLora().isEmpty());
        for (String bad : new String[] {"\"use_dora\": true", "\"use_rslora\": true", "\"layers_to_transform\": [0]"}) {
            JsonNode c = JSON.readTree("{\"peft_type\": \"LORA\", \"target_modules\": [\"c_attn\"], " + bad + "}");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PeftAdapter.specFromConfig(c, "cfg"));
            assertTrue(e.getMessage().contains(bad.substring(1, bad.indexOf('"', 1))), e.getMessage());
        }
        JsonNode regex = JSON.readTree("{\"peft_type\": \"LORA\", \"target_modules\": \".*attn\\\\.c_attn\"}");
        assertTrue(PeftAdapter.specFromConfig(regex, "cfg").isTarget("transformer.h.0.attn.c_attn"));
    }

    @Test
    void metaOfAModelTakesItsLayout() throws IOException {
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel model = injected(m, qv(), 0);
            assertTrue(PeftAdapter.Meta.of(model, "gpt2", "CAUSAL_LM").fanInFanOut());
            Gpt2LMHeadModel plain = TinyCheckpoints.load(base, m);
            assertThrows(IllegalArgumentException.class, () -> PeftAdapter.Meta.of(plain, "gpt2", "CAUSAL_LM"));
        }
    }

    @Test
    void metaAndWriteValidateTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> new PeftAdapter.Meta("x", "CLASSIFY", false));
        Map<String, PeftAdapter.Tensor> onlyA = Map.of("h.0.c_attn.lora_A",
                new PeftAdapter.Tensor(new long[] {8, 4}, new float[32]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapter.write(onlyA, qv(), META, FS, tmp.resolve("bad").toString()));
        assertTrue(e.getMessage().contains("h.0.c_attn.lora_B"), e.getMessage());
        Map<String, PeftAdapter.Tensor> badA = new java.util.LinkedHashMap<>();
        badA.put("h.0.c_attn.lora_A", new PeftAdapter.Tensor(new long[] {4, 4}, new float[16]));
        badA.put("h.0.c_attn.lora_B", new PeftAdapter.Tensor(new long[] {8, 4}, new float[32]));
        e = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapter.write(badA, qv(), META, FS, tmp.resolve("bad").toString()));
        assertTrue(e.getMessage().contains("h.0.c_attn.lora_A"), e.getMessage());
    }

    @Test
    void expandAndFoldAreInverse() {
        boolean[] groups = {true, false, true};
        float[] b = new float[4 * 2 * 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = i + 1;
        }
        PeftAdapter.Tensor loralib = new PeftAdapter.Tensor(new long[] {8, 2}, b);
        PeftAdapter.Tensor peft = PeftAdapter.expandMergedB(loralib, groups, 2);
        assertArrayEquals(new long[] {12, 4}, peft.shape());
        // q block: rows 0..3, columns 0..1; k rows 4..7 zero; v block rows 8..11, columns 2..3.
        assertEquals(1f, peft.data()[0]);
        assertEquals(0f, peft.data()[2]);
        assertEquals(0f, peft.data()[5 * 4 + 1]);
        assertEquals(b[4 * 2], peft.data()[8 * 4 + 2]);
        assertArrayEquals(b, PeftAdapter.foldMergedB(peft, groups, 2, "k").data(), 0f);
        assertTrue(Arrays.equals(loralib.shape(), PeftAdapter.foldMergedB(peft, groups, 2, "k").shape()));
    }

    @Test
    void saveRefusesALayerThatDisagreesWithTheSpec() throws IOException {
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel model = injected(m, qv(), 3);
            LoraSpec plain = LoraSpec.builder().targetModules("c_attn").r(4).alpha(16).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PeftAdapter.save(model, plain, META, FS, tmp.resolve("x").toString()));
            assertTrue(e.getMessage().contains("transformer.h.0.attn.c_attn"), e.getMessage());
            Module m2 = model;
            e = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.save(m2, qv(),
                    new PeftAdapter.Meta(null, "CAUSAL_LM", false), FS, tmp.resolve("y").toString()));
            assertTrue(e.getMessage().contains("fan_in_fan_out"), e.getMessage());
        }
    }
}
