package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.nn.Autograd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Google's BERT-base uncased, converted to Hugging Face names, against
 * {@code fixtures/bert_base_uncased_forward.json} (an independent PyTorch run): [CLS] hidden state,
 * per-token norms, sums, pooler output, and masked-LM top-5 predictions.
 *
 * <p>Skipped unless the system property {@code sparklora.bertBaseDir} names a directory with
 * {@code model.safetensors} (F32) and optionally {@code config.json} (else bert-base-uncased's
 * defaults) and {@code vocab.txt} (needed for the masked-LM cases, which are skipped without it).
 */
class BertBaseGoldenTest {
    private static Path dir;
    private static JsonNode golden;

    @BeforeAll
    static void locate() throws Exception {
        String prop = System.getProperty("sparklora.bertBaseDir");
        assumeTrue(prop != null && !prop.isBlank(), "sparklora.bertBaseDir not set");
        dir = Path.of(prop);
        assumeTrue(Files.isRegularFile(dir.resolve("model.safetensors")), "no model.safetensors in " + dir);
        try (InputStream in = BertBaseGoldenTest.class.getResourceAsStream("/fixtures/bert_base_uncased_forward.json")) {
            assertNotNull(in, "missing test resource fixtures/bert_base_uncased_forward.json");
            golden = new ObjectMapper().readTree(in);
        }
    }

    private static BertForMaskedLM load(NDManager m) throws Exception {
        Path cfgFile = dir.resolve("config.json");
        BertConfig cfg = Files.isRegularFile(cfgFile) ? BertConfig.fromJson(cfgFile) : BertConfig.builder().build();
        BertForMaskedLM model = new BertForMaskedLM(m, cfg, true);
        SafetensorsTestSource source = new SafetensorsTestSource(dir.resolve("model.safetensors"));
        List<String> unused = model.loadStateDict(source, false);
        Set<String> missing = new TreeSet<>(model.namedParameters().keySet());
        missing.removeAll(source.names());
        assertEquals(Set.of(), missing, "converted model lacks parameters");
        for (String u : unused) {
            assertTrue(u.startsWith("cls.predictions.decoder.") || u.startsWith("cls.seq_relationship."),
                    "unexpected tensor in the checkpoint: " + u);
        }
        model.eval();
        return model;
    }

    @Test
    void forwardMatchesTheReference() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            BertForMaskedLM model = load(m);
            for (JsonNode c : golden.get("forward")) {
                try (NDManager s = m.newSubManager()) {
                    long[] ids = longs(c.get("input_ids"));
                    long[] types = longs(c.get("token_type_ids"));
                    BertInputs in = new BertInputs(s.create(ids).reshape(1, -1), null,
                            s.create(types).reshape(1, -1));
                    BertModel.Output out = Autograd.noGrad(() -> model.encoder().forward(in));
                    NDArray h = out.lastHiddenState().get(0);
                    assertEquals(new Shape(longs(c.get("last_hidden_state_shape"))), h.getShape());
                    assertClose(c.get("last_hidden_state_cls_first16"), h.get(new NDIndex("0, 0:16")).toFloatArray(), 1e-3);
                    assertClose(c.get("last_hidden_state_token_l2"), h.norm(new int[] {1}).toFloatArray(), 2e-3);
                    assertEquals(c.get("last_hidden_state_sum").asDouble(), h.sum().getFloat(), 0.05);
                    assertEquals(c.get("last_hidden_state_abs_sum").asDouble(), h.abs().sum().getFloat(), 0.5);
                    NDArray pooled = out.pooledOutput().get(0);
                    assertClose(c.get("pooler_output_first16"), pooled.get(new NDIndex("0:16")).toFloatArray(), 1e-3);
                    assertEquals(c.get("pooler_output_sum").asDouble(), pooled.sum().getFloat(), 0.01);
                }
            }
        }
    }

    @Test
    void maskedLmTop5MatchesTheReference() throws Exception {
        Path vocabFile = dir.resolve("vocab.txt");
        assumeTrue(Files.isRegularFile(vocabFile), "no vocab.txt in " + dir);
        List<String> vocab = Files.readAllLines(vocabFile, StandardCharsets.UTF_8);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.putIfAbsent(vocab.get(i), i);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            BertForMaskedLM model = load(m);
            for (JsonNode c : golden.get("masked_lm")) {
                List<Long> tokenIds = new ArrayList<>();
                int maskAt = -1;
                for (JsonNode t : c.get("tokens")) {
                    Integer id = ids.get(t.asText());
                    assertNotNull(id, "token " + t + " not in vocab.txt");
                    if (t.asText().equals("[MASK]")) {
                        maskAt = tokenIds.size();
                    }
                    tokenIds.add((long) id);
                }
                try (NDManager s = m.newSubManager()) {
                    NDArray in = s.create(tokenIds.stream().mapToLong(Long::longValue).toArray()).reshape(1, -1);
                    NDArray logits = Autograd.noGrad(() -> model.forward(BertInputs.of(in)).logits());
                    NDArray row = logits.get(new NDIndex("0, {}", maskAt));
                    long[] top = row.argSort(0, false).get("0:5").toLongArray();
                    for (int k = 0; k < 5; k++) {
                        assertEquals(c.get("top5").get(k).asText(), vocab.get((int) top[k]), "rank " + k);
                        assertEquals(c.get("top5_logits").get(k).asDouble(), row.getFloat(top[k]), 2e-3, "logit " + k);
                    }
                }
            }
        }
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static void assertClose(JsonNode expected, float[] actual, double atol) {
        assertEquals(expected.size(), actual.length);
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertTrue(Math.abs(actual[i] - e) <= atol + 1e-4 * Math.abs(e), "at " + i + ": " + actual[i] + " vs " + e);
        }
    }
}
