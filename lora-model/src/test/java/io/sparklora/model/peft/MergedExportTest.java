package io.sparklora.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** merge_and_unload as a Hugging Face directory: a plain model loaded from it reproduces the LoRA model. */
class MergedExportTest {
    private static final Storage FS = Storage.local();

    @TempDir
    static Path tmp;
    private static Path base;
    private static NDManager root;

    @BeforeAll
    static void setUp() throws IOException {
        root = NDManager.newBaseManager();
        base = tmp.resolve("base");
        TinyCheckpoints.writeBase(base, 21);
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    private static void checkMergedGpt2(LoraSpec spec, Path out) throws IOException {
        try (NDManager m1 = root.newSubManager(); NDManager m2 = root.newSubManager();
             NDManager m0 = root.newSubManager()) {
            Gpt2LMHeadModel lora = TinyCheckpoints.load(base, m1);
            LoraInjector.inject(lora, spec);
            TinyCheckpoints.randomizeLora(lora, 8);
            float[] expected = TinyCheckpoints.logits(lora); // train mode: LoRA path unmerged
            float[] plainBase = TinyCheckpoints.logits(TinyCheckpoints.load(base, m0));
            assertTrue(TinyCheckpoints.maxAbsDiff(expected, plainBase) > 1e-2, "LoRA must change the logits");
            try (HfModelDir b = HfModelDir.open(FS, base.toString())) {
                MergedExport.write(lora, b, FS, out.toString(), false, Long.MAX_VALUE);
            }
            try (SafetensorsReader r = SafetensorsReader.open(out.resolve("model.safetensors"))) {
                for (String k : r.tensors().keySet()) {
                    assertFalse(k.contains("lora_"), k);
                }
                try (HfModelDir b = HfModelDir.open(FS, base.toString())) {
                    assertEquals(b.tensorNames(), r.tensors().keySet());
                }
            }
            assertEquals(Files.readString(base.resolve("config.json")), Files.readString(out.resolve("config.json")));
            Gpt2LMHeadModel merged = TinyCheckpoints.load(out, m2);
            float diff = TinyCheckpoints.maxAbsDiff(expected, TinyCheckpoints.logits(merged));
            assertTrue(diff <= 1e-5, "merged logits differ by " + diff);
        }
    }

    @Test
    void mergedQvGpt2ReproducesTheLoraLogits() throws IOException {
        checkMergedGpt2(PeftAdapterTest.qv(), tmp.resolve("merged-qv"));
    }

    @Test
    void mergedPlainGpt2WithModulesToSaveReproducesTheLoraLogits() throws IOException {
        LoraSpec spec = LoraSpec.builder().targetModules("c_attn", "c_proj", "c_fc").r(2).alpha(4)
                .modulesToSave("ln_f").build();
        checkMergedGpt2(spec, tmp.resolve("merged-plain"));
    }

    @Test
    void aMergedModelIsWrittenAsItIs() throws IOException {
        // eval() folds ΔW into W; the export must not add it a second time.
        try (NDManager m1 = root.newSubManager(); NDManager m2 = root.newSubManager()) {
            Gpt2LMHeadModel lora = TinyCheckpoints.load(base, m1);
            LoraInjector.inject(lora, PeftAdapterTest.qv());
            TinyCheckpoints.randomizeLora(lora, 8);
            float[] expected = TinyCheckpoints.logits(lora);
            lora.eval();
            Path out = tmp.resolve("merged-eval");
            try (HfModelDir b = HfModelDir.open(FS, base.toString())) {
                MergedExport.write(lora, b, FS, out.toString(), false, 20_000);
            }
            assertTrue(Files.exists(out.resolve("model.safetensors.index.json")), "20 kB shards");
            float diff = TinyCheckpoints.maxAbsDiff(expected, TinyCheckpoints.logits(TinyCheckpoints.load(out, m2)));
            assertTrue(diff <= 1e-5, "merged logits differ by " + diff);
        }
    }

    @Test
    void baseNamesWithoutPrefixAndExtraBuffersAreKept() throws IOException {
        // A bare GPT2Model checkpoint (no "transformer." prefix) with HF's attn.bias mask buffers.
        Path bare = tmp.resolve("bare");
        try (HfModelDir b = HfModelDir.open(FS, base.toString());
             NDManager m = root.newSubManager()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String n : b.tensorNames()) {
                NDArray a = b.tensors().load(n, m);
                w.addNDArray(n.substring("transformer.".length()), a);
            }
            w.addFloats("h.0.attn.bias", new long[] {1, 1, 2, 2}, new float[] {1, 0, 1, 1});
            Files.createDirectories(bare);
            w.write(bare.resolve("model.safetensors"));
            Files.writeString(bare.resolve("config.json"), TinyCheckpoints.CONFIG_JSON);
        }
        try (NDManager m = root.newSubManager(); HfModelDir b = HfModelDir.open(FS, bare.toString())) {
            Gpt2LMHeadModel lora = TinyCheckpoints.load(bare, m);
            LoraInjector.inject(lora, PeftAdapterTest.qv());
            TinyCheckpoints.randomizeLora(lora, 8);
            Path out = tmp.resolve("merged-bare");
            MergedExport.write(lora, b, FS, out.toString(), false, Long.MAX_VALUE);
            try (HfModelDir o = HfModelDir.open(FS, out.toString())) {
                assertEquals(b.tensorNames(), o.tensorNames());
                assertTrue(o.tensorNames().contains("h.0.attn.c_attn.weight"));
                assertArrayEquals(new float[] {1, 0, 1, 1}, o.tensors().load("h.0.attn.bias", m).toFloatArray(), 0f);
            }
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> MergedExport.write(lora, b, FS, out.toString(), false, Long.MAX_VALUE));
            assertTrue(e.getMessage().contains("merged-bare"), e.getMessage());
            MergedExport.write(lora, b, FS, out.toString(), true, Long.MAX_VALUE);
        }
    }

    @Test
    void aTiedCopyInTheBaseFollowsTheTrainedWeight() throws IOException {
        // A base that also saved lm_head.weight (tied to wte); wte trains in full (modules_to_save).
        Path tied = tmp.resolve("tied");
        try (HfModelDir b = HfModelDir.open(FS, base.toString()); NDManager m = root.newSubManager()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String n : b.tensorNames()) {
                w.addNDArray(n, b.tensors().load(n, m));
            }
            w.addNDArray("lm_head.weight", b.tensors().load("transformer.wte.weight", m));
            Files.createDirectories(tied);
            w.write(tied.resolve("model.safetensors"));
            Files.writeString(tied.resolve("config.json"), TinyCheckpoints.CONFIG_JSON);
        }
        try (NDManager m = root.newSubManager(); HfModelDir b = HfModelDir.open(FS, tied.toString())) {
            Gpt2LMHeadModel lora = TinyCheckpoints.load(tied, m);
            LoraInjector.inject(lora, LoraSpec.builder().targetModules("c_attn").modulesToSave("wte").build());
            TinyCheckpoints.randomize(lora, 6, n -> n.equals("transformer.wte.weight"), 0.1f);
            Path out = tmp.resolve("merged-tied");
            MergedExport.write(lora, b, FS, out.toString(), false, Long.MAX_VALUE);
            float[] wte = lora.namedParameters().get("transformer.wte.weight").array().toFloatArray();
            try (SafetensorsReader r = SafetensorsReader.open(out.resolve("model.safetensors"))) {
                assertArrayEquals(wte, r.readFloats("transformer.wte.weight"), 0f);
                assertArrayEquals(wte, r.readFloats("lm_head.weight"), 0f);
            }
        }
    }

    /** A hand-built model: an embedding-free two-layer MLP with a head, to check the export is generic. */
    static final class Toy extends Module {
        Toy(NDManager m) {
            super(m);
            registerChild("proj", new Linear(m, 6, 5, true));
            registerChild("head", new Linear(m, 5, 3, true));
        }
    }

    @Test
    void genericModuleMergesLoraAndKeepsModulesToSave() throws IOException {
        try (NDManager m = root.newSubManager()) {
            Toy toy = new Toy(m);
            LoraInjector.inject(toy, LoraSpec.builder().targetModules("proj").r(2).alpha(3).modulesToSave("head").build());
            TinyCheckpoints.randomize(toy, 4, n -> true, 0.5f);
            Map<String, io.sparklora.model.nn.Param> p = toy.namedParameters();
            float[] w = p.get("proj.weight").array().toFloatArray();
            float[] a = p.get("proj.lora_A").array().toFloatArray();
            float[] b = p.get("proj.lora_B").array().toFloatArray();
            Path out = tmp.resolve("toy");
            MergedExport.write(toy, "{\"model_type\": \"toy\"}", FS, out.toString(), false);
            try (SafetensorsReader r = SafetensorsReader.open(out.resolve("model.safetensors"))) {
                assertEquals(new TreeSet<>(Set.of("proj.weight", "proj.bias", "head.weight", "head.bias")),
                        new TreeSet<>(r.tensors().keySet()));
                float[] merged = r.readFloats("proj.weight");
                for (int o = 0; o < 5; o++) {
                    for (int i = 0; i < 6; i++) {
                        double d = 0;
                        for (int k = 0; k < 2; k++) {
                            d += b[o * 2 + k] * a[k * 6 + i];
                        }
                        assertEquals(w[o * 6 + i] + 1.5 * d, merged[o * 6 + i], 1e-6, "proj.weight[" + o + "," + i + "]");
                    }
                }
                assertArrayEquals(p.get("head.weight").array().toFloatArray(), r.readFloats("head.weight"), 0f);
                assertArrayEquals(p.get("proj.bias").array().toFloatArray(), r.readFloats("proj.bias"), 0f);
            }
            assertEquals(MergedExport.mergedWeights(toy).keySet(), Set.of("proj.weight", "proj.bias", "head.weight", "head.bias"));
        }
    }

    @Test
    void twoParametersMappingToOneBaseTensorAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergedExport.checkpointNames(
                new java.util.LinkedHashSet<>(java.util.List.of("a.x.weight", "b.x.weight")), Set.of("x.weight"), "base"));
        assertTrue(e.getMessage().contains("x.weight"), e.getMessage());
    }
}
