package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklora.model.Fixture;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names, shapes and invariants of the encoders and heads that the fixtures do not pin down. */
class BertModelTest {

    private static BertConfig tiny(BertConfig.ModelType type, int labels) {
        return BertNativeMemoryTest.tinyConfig(type, labels).toBuilder().hiddenDropoutProb(0)
                .attentionProbsDropoutProb(0).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert_lora_cls", "roberta_lora_reg"})
    void parameterNamesAndOrderAreHuggingFaces(String name) {
        Fixture f = Fixture.load(name);
        List<String> expected = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.json.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().get("role").asText().equals("param")) {
                expected.add(e.getKey());
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model = BertLoraFixtureTest.buildLoraModel(f, m);
            assertEquals(expected, new ArrayList<>(model.namedParameters().keySet()));
            String buffer = f.json.get("buffers_not_stored").get(0).asText();
            assertTrue(model.stateDict().containsKey(buffer), "state dict has the " + buffer + " buffer");
        }
    }

    @Test
    void geluIsTheExactErfForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.linspace(-6f, 6f, 121);
            NDArray erfForm = x.mul(0.5f).mul(x.div((float) Math.sqrt(2)).erf().add(1f));
            float[] a = Layers.gelu(x).toFloatArray();
            float[] b = erfForm.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-6, "gelu at " + i);
            }
            // The tanh approximation differs by up to ~1e-3 near |x| = 2: the test can tell them apart.
            NDArray tanhForm = x.mul(0.5f).mul(x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI))
                    .tanh().add(1f));
            assertTrue(tanhForm.sub(Layers.gelu(x)).abs().max().getFloat() > 1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(BertConfig.ModelType.class)
    void paddingDoesNotChangeTheRealTokens(BertConfig.ModelType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model = new BertForSequenceClassification(m, tiny(type, 2));
            try (NDManager s = m.newSubManager()) {
                NDArray mask = s.create(new long[] {1, 1, 1, 1, 0, 0}).reshape(1, 6);
                NDArray ids1 = s.create(new long[] {5, 6, 7, 8, 1, 1}).reshape(1, 6);
                NDArray ids2 = s.create(new long[] {5, 6, 7, 8, 30, 40}).reshape(1, 6);
                BertForSequenceClassification.Output a = Autograd.noGrad(() -> model.forward(BertInputs.of(ids1, mask)));
                BertForSequenceClassification.Output b = Autograd.noGrad(() -> model.forward(BertInputs.of(ids2, mask)));
                NDIndex real = new NDIndex(":, 0:4");
                assertTrue(a.encoder().lastHiddenState().get(real)
                        .allClose(b.encoder().lastHiddenState().get(real), 0, 1e-5, false));
                assertTrue(a.logits().allClose(b.logits(), 0, 1e-5, false));
                // Without the mask the padding is attended to and the outputs change.
                NDArray c = Autograd.noGrad(() -> model.logits(BertInputs.of(ids2)));
                assertFalse(a.logits().allClose(c, 0, 1e-3, false));
            }
        }
    }

    @Test
    void robertaPositionsStartAfterThePadId() {
        try (NDManager m = NDManager.newBaseManager()) {
            BertConfig c = tiny(BertConfig.ModelType.ROBERTA, 2);
            NDArray ids = m.create(new long[] {0, 5, 1, 7, 1, 1}).reshape(1, 6);
            assertArrayEquals(new long[] {2, 3, 1, 4, 1, 1}, BertEmbeddings.positionIds(ids, c).toLongArray());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5},
                    BertEmbeddings.positionIds(ids, tiny(BertConfig.ModelType.BERT, 2)).toLongArray());
        }
    }

    @Test
    void sumLossesAddUpOverSplitBatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (BertConfig.ModelType type : BertConfig.ModelType.values()) {
                for (int labels : new int[] {1, 3}) {
                    BertForSequenceClassification model = new BertForSequenceClassification(m, tiny(type, labels));
                    try (NDManager s = m.newSubManager()) {
                        NDArray ids = s.randomInteger(2, 50, new Shape(4, 5), DataType.INT64);
                        NDArray y = labels == 1 ? s.randomUniform(0, 5, new Shape(4))
                                : s.create(new long[] {0, 2, 1, 2});
                        NDArray logits = Autograd.noGrad(() -> model.logits(BertInputs.of(ids)));
                        LossSum all = model.lossSum(logits, y);
                        LossSum first = model.lossSum(logits.get("0:1"), y.get("0:1"));
                        LossSum rest = model.lossSum(logits.get("1:"), y.get("1:"));
                        assertEquals(4, all.count());
                        assertEquals(all.sum().getFloat(), first.sum().getFloat() + rest.sum().getFloat(), 1e-5);
                        assertEquals(all.sum().getFloat() / 4, model.loss(logits, y).getFloat(), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void badInputsFailWithClearMessages() {
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model = new BertForSequenceClassification(m, tiny(BertConfig.ModelType.BERT, 2));
            NDArray tooBig = m.create(new long[] {1, 2, 50}).reshape(1, 3);
            assertMessage(() -> model.logits(BertInputs.of(tooBig)), "input_ids");
            NDArray tooLong = m.ones(new Shape(1, 25), DataType.INT64);
            assertMessage(() -> model.logits(BertInputs.of(tooLong)), "sequence length 25");
            NDArray ids = m.ones(new Shape(2, 3), DataType.INT64);
            assertMessage(() -> BertInputs.of(ids, m.ones(new Shape(2, 4))), "attention_mask");
            assertMessage(() -> BertInputs.of(m.ones(new Shape(2, 3))), "int32 or int64");
            NDArray badTypes = m.full(new Shape(2, 3), 2).toType(DataType.INT64, false);
            assertMessage(() -> model.logits(new BertInputs(ids, null, badTypes)), "token_type_ids");
            NDArray logits = m.zeros(new Shape(2, 2));
            assertMessage(() -> model.loss(logits, m.create(new long[] {0, 2})), "labels must lie in [0, 2)");
            assertMessage(() -> model.loss(logits, m.create(new float[] {0, 1})), "int32 or int64");
            assertMessage(() -> model.loss(logits, m.create(new long[] {0, 1, 1})), "labels must have shape");
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable body, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void maskedLmHeadHasHuggingFaceNamesAndATiedDecoder() {
        try (NDManager m = NDManager.newBaseManager()) {
            BertConfig c = tiny(BertConfig.ModelType.BERT, 2);
            BertForMaskedLM lm = new BertForMaskedLM(m, c, false);
            Map<String, Param> params = lm.namedParameters();
            for (String n : List.of("cls.predictions.bias", "cls.predictions.transform.dense.weight",
                    "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
                    "cls.predictions.transform.LayerNorm.bias", "bert.embeddings.word_embeddings.weight")) {
                assertNotNull(params.get(n), n);
            }
            assertEquals(new Shape(c.vocabSize()), params.get("cls.predictions.bias").shape());
            assertTrue(params.keySet().stream().noneMatch(n -> n.contains("pooler") || n.contains("decoder")));
            assertTrue(new BertForMaskedLM(m, c, true).namedParameters().containsKey("bert.pooler.dense.weight"));
            assertThrows(IllegalArgumentException.class,
                    () -> new BertForMaskedLM(m, tiny(BertConfig.ModelType.ROBERTA, 2), false));

            try (NDManager s = m.newSubManager()) {
                NDArray ids = s.create(new long[] {3, 4, 5, 6, 7, 8}).reshape(2, 3);
                NDArray before = Autograd.noGrad(() -> lm.forward(BertInputs.of(ids)).logits());
                assertEquals(new Shape(2, 3, c.vocabSize()), before.getShape());
                // Changing the embedding of a token absent from the input changes only its own score.
                Autograd.noGrad(() -> {
                    params.get("bert.embeddings.word_embeddings.weight").array().set(new NDIndex("42"), 0.5f);
                    return null;
                });
                NDArray after = Autograd.noGrad(() -> lm.forward(BertInputs.of(ids)).logits());
                NDArray diff = after.sub(before).abs().sum(new int[] {0, 1});
                assertTrue(diff.getFloat(42) > 1e-3);
                assertEquals(0f, diff.sum().getFloat() - diff.getFloat(42), 0f);
            }
        }
    }

    @Test
    void loraOnAnyLinearAndFrozenBaseGetsNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model =
                    new BertForSequenceClassification(m, tiny(BertConfig.ModelType.BERT, 2));
            // Targets that the forward pass looks up at call time: query, key, value and the FFN.
            LoraInjector.Result r = LoraInjector.inject(model, LoraSpec.builder()
                    .targetModules("query", "key", "value", "intermediate.dense").r(2).alpha(4)
                    .modulesToSave("classifier").build());
            assertEquals(8, r.loraModules().size());
            model.namedParameters().forEach((n, p) -> {
                if (n.contains("lora_B")) {
                    Autograd.noGrad(() -> p.array().addi(0.1f)); // B = 0 at init would hide lora_A's path
                }
            });
            try (NDManager s = m.newSubManager()) {
                NDArray ids = s.create(new long[] {3, 4, 5, 6, 7, 8}).reshape(2, 3);
                NDArray loss = Autograd.record(() ->
                        model.loss(model.logits(BertInputs.of(ids)), s.create(new long[] {0, 1})));
                Autograd.backward(loss);
                model.namedParameters().forEach((n, p) -> {
                    NDArray g = Autograd.gradient(p, s);
                    if (n.contains("lora_") || n.startsWith("classifier.")) {
                        assertNotNull(g, n);
                        assertTrue(g.abs().sum().getFloat() > 0, n + " has a zero gradient");
                    } else {
                        assertNull(g, n);
                        assertFalse(p.array().hasGradient(), n);
                    }
                });
            }
        }
    }
}
