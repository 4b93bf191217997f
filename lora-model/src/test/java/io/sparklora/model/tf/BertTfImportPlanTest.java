package io.sparklora.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mapping rules and their checks on a tiny synthetic BERT (L=2, H=4, I=8, vocab 10, positions 6). */
class BertTfImportPlanTest {
    @TempDir Path tmp;

    static Map<String, long[]> tinyBert(String prefix, boolean mlm) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(prefix + "bert/embeddings/word_embeddings", new long[] {10, 4});
        m.put(prefix + "bert/embeddings/position_embeddings", new long[] {6, 4});
        m.put(prefix + "bert/embeddings/token_type_embeddings", new long[] {2, 4});
        m.put(prefix + "bert/embeddings/LayerNorm/gamma", new long[] {4});
        m.put(prefix + "bert/embeddings/LayerNorm/beta", new long[] {4});
        for (int l = 0; l < 2; l++) {
            String p = prefix + "bert/encoder/layer_" + l + "/";
            for (String x : new String[] {"query", "key", "value"}) {
                m.put(p + "attention/self/" + x + "/kernel", new long[] {4, 4});
                m.put(p + "attention/self/" + x + "/bias", new long[] {4});
            }
            m.put(p + "attention/output/dense/kernel", new long[] {4, 4});
            m.put(p + "attention/output/dense/bias", new long[] {4});
            m.put(p + "attention/output/LayerNorm/gamma", new long[] {4});
            m.put(p + "attention/output/LayerNorm/beta", new long[] {4});
            m.put(p + "intermediate/dense/kernel", new long[] {4, 8});
            m.put(p + "intermediate/dense/bias", new long[] {8});
            m.put(p + "output/dense/kernel", new long[] {8, 4});
            m.put(p + "output/dense/bias", new long[] {4});
            m.put(p + "output/LayerNorm/gamma", new long[] {4});
            m.put(p + "output/LayerNorm/beta", new long[] {4});
        }
        m.put(prefix + "bert/pooler/dense/kernel", new long[] {4, 4});
        m.put(prefix + "bert/pooler/dense/bias", new long[] {4});
        if (mlm) {
            m.put(prefix + "cls/predictions/output_bias", new long[] {10});
            m.put(prefix + "cls/predictions/transform/dense/kernel", new long[] {4, 4});
            m.put(prefix + "cls/predictions/transform/dense/bias", new long[] {4});
            m.put(prefix + "cls/predictions/transform/LayerNorm/gamma", new long[] {4});
            m.put(prefix + "cls/predictions/transform/LayerNorm/beta", new long[] {4});
        }
        return m;
    }

    static Map<String, BundleEntry> entries(Map<String, long[]> shapes) {
        Map<String, BundleEntry> m = new TreeMap<>();
        shapes.forEach((n, s) -> {
            long numel = 1;
            for (long d : s) {
                numel *= d;
            }
            m.put(n, new BundleEntry(n, TfDataType.DT_FLOAT, s, 0, 0, 4 * numel, 0, false));
        });
        return m;
    }

    @Test
    void namingRules() {
        assertEquals(Optional.of("bert.encoder.layer.11.attention.self.query.weight"),
                BertTfImport.hfName("module/bert/encoder/layer_11/attention/self/query/kernel"));
        assertEquals(Optional.of("bert.embeddings.LayerNorm.bias"), BertTfImport.hfName("bert/embeddings/LayerNorm/beta"));
        assertEquals(Optional.of("bert.embeddings.word_embeddings.weight"), BertTfImport.hfName("bert/embeddings/word_embeddings"));
        assertEquals(Optional.of("cls.predictions.bias"), BertTfImport.hfName("module/cls/predictions/output_bias"));
        assertEquals(Optional.of("cls.predictions.transform.LayerNorm.weight"),
                BertTfImport.hfName("cls/predictions/transform/LayerNorm/gamma"));
        assertEquals(Optional.of("cls.seq_relationship.weight"), BertTfImport.hfName("cls/seq_relationship/output_weights"));
        assertEquals(Optional.empty(), BertTfImport.hfName("global_step"));
        assertEquals(Optional.empty(), BertTfImport.hfName("bert/encoder/layer_0/weird"));
        assertEquals(Optional.empty(), BertTfImport.hfName("other/bert/x/kernel"));
    }

    @Test
    void fullSetMapsWithOptimizerStateIgnoredAndStrangersListed() throws Exception {
        Map<String, long[]> shapes = tinyBert("", true);
        shapes.put("global_step", new long[] {});
        shapes.put("bert/pooler/dense/kernel/adam_m", new long[] {4, 4});
        shapes.put("bert/encoder/layer_0/output/dense/kernel/adam_v", new long[] {8, 4});
        shapes.put("bert/encoder/layer_0/extra/dense/kernel", new long[] {4, 4});
        shapes.put("unrelated/thing", new long[] {3});
        BertTfImport.Plan plan = BertTfImport.plan(entries(shapes), 2);
        assertEquals(2, plan.config().numHiddenLayers);
        assertEquals(4, plan.config().hiddenSize);
        assertEquals(8, plan.config().intermediateSize);
        assertEquals(10, plan.config().vocabSize);
        assertEquals(6, plan.config().maxPositionEmbeddings);
        assertEquals(2, plan.config().numAttentionHeads);
        assertEquals(tinyBert("", true).size(), plan.mappings().size());
        assertEquals(List.of("bert/encoder/layer_0/extra/dense/kernel", "unrelated/thing"), plan.unused());
        assertEquals(3, plan.ignored().size());
        BertTfImport.Mapping inter = plan.mappings().stream()
                .filter(m -> m.hfName().equals("bert.encoder.layer.1.intermediate.dense.weight")).findFirst().orElseThrow();
        assertTrue(inter.transpose());
        assertArrayEquals(new long[] {8, 4}, inter.hfShape());
        assertEquals("bert.embeddings.word_embeddings.weight", plan.mappings().get(0).hfName(), "HF state-dict order");
    }

    @Test
    void missingDuplicateAndMisshapenVariablesFail() {
        Map<String, long[]> missing = tinyBert("module/", true);
        missing.remove("module/bert/encoder/layer_1/attention/self/key/bias");
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(missing), 2));
        assertTrue(e.getMessage().contains("missing TF variable for 'bert.encoder.layer.1.attention.self.key.bias'"), e.getMessage());

        Map<String, long[]> twice = tinyBert("module/", true);
        twice.put("bert/pooler/dense/bias", new long[] {4});
        e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(twice), 2));
        assertTrue(e.getMessage().contains("'bert.pooler.dense.bias' would come from both"), e.getMessage());

        Map<String, long[]> shape = tinyBert("", true);
        shape.put("bert/encoder/layer_0/output/dense/kernel", new long[] {4, 8});
        e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(shape), 2));
        assertTrue(e.getMessage().contains("'bert/encoder/layer_0/output/dense/kernel' has shape [4, 8] ([8, 4] transposed), expected [4, 8]"),
                e.getMessage());
        e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(tinyBert("", true)), 0));
        assertTrue(e.getMessage().contains("give the number of attention heads"), e.getMessage());

        Map<String, long[]> partialHead = tinyBert("", true);
        partialHead.remove("cls/predictions/transform/dense/bias");
        e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(partialHead), 2));
        assertTrue(e.getMessage().contains("cls.predictions.transform.dense.bias"), e.getMessage());

        Map<String, long[]> gap = tinyBert("", false);
        gap.keySet().removeIf(k -> k.contains("layer_0/"));
        e = assertThrows(TensorBundleFormatException.class, () -> BertTfImport.plan(entries(gap), 2));
        assertTrue(e.getMessage().contains("missing TF variable for 'bert.encoder.layer.0"), e.getMessage());
    }

    @Test
    void convertsATinySyntheticSavedModel() throws Exception {
        Map<String, long[]> shapes = tinyBert("module/", false);
        Map<String, float[]> values = new TreeMap<>();
        Map<String, long[]> sorted = new TreeMap<>(shapes);
        int k = 0;
        for (Map.Entry<String, long[]> e : sorted.entrySet()) {
            int n = 1;
            for (long d : e.getValue()) {
                n *= (int) d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = k * 1000 + i;
            }
            values.put(e.getKey(), v);
            k++;
        }
        Path sm = tmp.resolve("sm");
        TestBundles.floatBundle(sm.resolve("variables"), "variables", values, sorted);
        Files.createDirectories(sm.resolve("assets"));
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            vocab.append("tok").append(i).append('\n');
        }
        Files.writeString(sm.resolve("assets/vocab.txt"), vocab);
        String outDir = tmp.resolve("out").toUri().toString();
        BertTfImport.Result r = BertTfImport.convertSavedModel(sm, outDir, new Storage(), false, "tiny", 2);
        assertEquals("BertModel", new ObjectMapper().readTree(tmp.resolve("out/config.json").toFile()).get("architectures").get(0).asText());
        assertEquals(shapes.size(), r.tensorsVerified());
        try (SafetensorsReader st = SafetensorsReader.open(tmp.resolve("out/model.safetensors"))) {
            float[] kernel = values.get("module/bert/encoder/layer_1/intermediate/dense/kernel"); // [4 in, 8 out]
            float[] w = st.readFloats("bert.encoder.layer.1.intermediate.dense.weight"); // [8 out, 4 in]
            for (int o = 0; o < 8; o++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(kernel[i * 8 + o], w[o * 4 + i]);
                }
            }
            assertArrayEquals(values.get("module/bert/embeddings/word_embeddings"), st.readFloats("bert.embeddings.word_embeddings.weight"));
            assertEquals("tiny", st.metadata().get("source"));
        }
        // the same through a (nested) jar, as the CLI does
        Path jar = tmp.resolve("tiny.jar");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar));
                var files = Files.walk(sm)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                z.putNextEntry(new java.util.zip.ZipEntry("model/" + sm.relativize(f).toString().replace('\\', '/')));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        }
        BertTfImport.Result viaJar = BertTfImport.convertJar(jar, tmp.resolve("out-jar").toString(), new Storage(), false, 2);
        assertEquals(r.hfParameterCount(), viaJar.hfParameterCount());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("out/vocab.txt")), Files.readAllBytes(tmp.resolve("out-jar/vocab.txt")));
        try (SafetensorsReader a = SafetensorsReader.open(tmp.resolve("out/model.safetensors"));
                SafetensorsReader b = SafetensorsReader.open(tmp.resolve("out-jar/model.safetensors"))) {
            assertEquals(a.tensors(), b.tensors());
            for (String n : a.tensors().keySet()) {
                assertEquals(a.readRaw(n), b.readRaw(n), n);
            }
        }

        // a vocabulary that does not match the embeddings is refused
        Files.writeString(sm.resolve("assets/vocab.txt"), "a\nb\n");
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class,
                () -> BertTfImport.convertSavedModel(sm, tmp.resolve("out2").toString(), new Storage(), false, "tiny", 2));
        assertTrue(e.getMessage().contains("2 tokens, but the word embeddings have 10 rows"), e.getMessage());
    }
}
