package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the forward pass that must hold for any weights: padding, cache, head, checkpoints. */
class Gpt2ModelTest {
    private static NDManager root;
    private static Gpt2LMHeadModel model;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager();
        model = TinyGpt2.build(root.newSubManager(), 3, true);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    private static void assertClose(NDArray expected, NDArray actual, float tol) {
        assertEquals(expected.getShape(), actual.getShape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * Math.max(1, scale), "at " + i + ": " + a[i] + " vs " + e[i]);
        }
    }

    @Test
    void leftPaddingWithMaskAndPositionsReproducesTheUnpaddedLogits() {
        try (NDManager s = root.newSubManager()) {
            NDArray alone = Autograd.noGrad(() -> model.logits(s.create(new long[] {4, 9, 33, 2}, new Shape(1, 4))));
            NDArray ids = s.create(new long[] {0, 0, 4, 9, 33, 2, 7, 7, 7, 7, 7, 7}, new Shape(2, 6));
            NDArray mask = s.create(new float[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
            NDArray pos = s.create(new long[] {0, 0, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5}, new Shape(2, 6));
            NDArray padded = Autograd.noGrad(() -> model.forward(
                    Gpt2Input.of(ids).attentionMask(mask).positionIds(pos)).logits());
            assertClose(alone.get(new NDIndex("0")), padded.get(new NDIndex("0, 2:")), 1e-5f);
            // without the mask the padding is attended to and the logits change
            NDArray unmasked = Autograd.noGrad(() -> model.forward(Gpt2Input.of(ids).positionIds(pos)).logits());
            assertFalse(unmasked.get(new NDIndex("0, 2:")).allClose(alone.get(new NDIndex("0")), 1e-3, 1e-3, false));
        }
    }

    @Test
    void cachedIncrementalForwardEqualsTheFullForward() {
        try (NDManager s = root.newSubManager()) {
            NDArray ids = s.create(new long[] {1, 5, 8, 13, 21, 34, 55, 89, 3, 6, 9, 12, 15, 18, 21, 24}, new Shape(2, 8));
            NDArray full = Autograd.noGrad(() -> model.logits(ids));
            Gpt2Output first = Autograd.noGrad(() -> model.forward(
                    Gpt2Input.of(ids.get(new NDIndex(":, :5"))).useCache(true)));
            assertEquals(5, first.presents().length());
            assertEquals(model.config().nLayer(), first.presents().layers());
            Gpt2Output second = Autograd.noGrad(() -> model.forward(Gpt2Input.of(ids.get(new NDIndex(":, 5:")))
                    .past(first.presents()).useCache(true)));
            assertEquals(8, second.presents().length());
            assertClose(full.get(new NDIndex(":, 5:")), second.logits(), 1e-5f);
            Gpt2Output last = Autograd.noGrad(() -> model.forward(Gpt2Input.of(ids.get(new NDIndex(":, 5:")))
                    .past(first.presents()).lastPositionOnly(true)));
            assertClose(full.get(new NDIndex(":, 7:")), last.logits(), 1e-5f);
            assertEquals(null, last.presents());
        }
    }

    @Test
    void mergedEvalEqualsUnmergedTrainAndTheHeadIsTied() {
        try (NDManager s = root.newSubManager()) {
            NDArray ids = s.create(new long[] {3, 1, 4, 1, 5, 9, 2, 6}, new Shape(1, 8));
            model.train();
            NDArray train = Autograd.noGrad(() -> model.logits(ids));
            model.eval();
            NDArray eval = Autograd.noGrad(() -> model.logits(ids));
            model.train();
            assertClose(train, eval, 1e-5f);
            assertFalse(model.stateDict().containsKey("lm_head.weight"));
            // the head reads wte: zeroing a row of wte zeroes that vocabulary entry's logits
            NDArray wte = model.transformer().wte().weight().array();
            float[] saved = wte.get(new NDIndex("7")).toFloatArray();
            Autograd.noGrad(() -> {
                wte.set(new NDIndex("7"), 0f);
                return null;
            });
            NDArray after = Autograd.noGrad(() -> model.logits(ids));
            Autograd.noGrad(() -> {
                wte.set(new NDIndex("7"), s.create(saved));
                return null;
            });
            for (float v : after.get(new NDIndex("..., 7")).toFloatArray()) {
                assertEquals(0f, v, 0f);
            }
        }
    }

    @Test
    void lossKeepsSumAndCountAndIgnoresMinusOne() {
        try (NDManager s = root.newSubManager()) {
            NDArray ids = s.create(new long[] {3, 1, 4, 1, 5, 9}, new Shape(2, 3));
            NDArray logits = Autograd.noGrad(() -> model.logits(ids));
            NDArray labels = s.create(new long[] {1, 4, -1, 5, 9, 2}, new Shape(2, 3));
            NDArray mask = s.create(new float[] {1, 1, 1, 0, 1, 1}, new Shape(2, 3));
            LmLoss loss = Gpt2LMHeadModel.loss(logits, labels, mask, 0f);
            // independent: -log_softmax at the targets, computed here in double
            float[] l = logits.toFloatArray();
            long[] y = labels.toLongArray();
            float[] m = mask.toFloatArray();
            int v = model.config().vocabSize();
            double sum = 0;
            for (int t = 0; t < 6; t++) {
                if (y[t] < 0) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, l[t * v + k]);
                }
                double z = 0;
                for (int k = 0; k < v; k++) {
                    z += Math.exp(l[t * v + k] - max);
                }
                sum += m[t] * (max + Math.log(z) - l[t * v + (int) y[t]]);
            }
            assertEquals(sum, loss.sumValue(), 1e-4 * Math.abs(sum));
            assertEquals(5f, loss.countValue());
            assertEquals(sum / (5 + 1e-4), loss.meanValue(), 1e-4 * Math.abs(sum));
            assertThrows(IllegalArgumentException.class,
                    () -> Gpt2LMHeadModel.loss(logits, s.create(new long[] {0, 0, 0, 0, 0, 100}, new Shape(2, 3)), null, 0f));
            assertThrows(IllegalArgumentException.class,
                    () -> Gpt2LMHeadModel.loss(logits, labels, s.ones(new Shape(3, 2)), 0f));
        }
    }

    @Test
    void loadsAHuggingFaceCheckpointStrictly() {
        try (NDManager s = root.newSubManager()) {
            // HF's GPT2LMHeadModel keys, as saved by transformers (bare GPT2Model keys have no prefix).
            Map<String, NDArray> hf = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> {
                if (!k.contains("lora_")) {
                    hf.put(k.substring("transformer.".length()), v);
                }
            });
            hf.put("h.0.attn.masked_bias", s.create(-1e4f));
            hf.put("lm_head.weight", model.transformer().wte().weight().array());
            Gpt2LMHeadModel fresh = Gpt2LMHeadModel.build(model.config(), s);
            assertTrue(fresh.loadStateDict(Gpt2Checkpoints.huggingFace(TensorSource.of(hf, "hf")), true).isEmpty());
            model.namedParameters().forEach((k, p) -> {
                if (!k.contains("lora_")) {
                    String base = k;
                    assertTrue(fresh.namedParameters().get(base).array().contentEquals(p.array()), k);
                }
            });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(
                    Gpt2Checkpoints.huggingFace(TensorSource.of(Map.of("wte.weight", s.zeros(new Shape(1))), "x")), true));
            assertTrue(e.getMessage().contains("wte.weight"), e.getMessage());
        }
    }

    @Test
    void peftStylePlainCAttnTargetingTrainsAndMerges() {
        try (NDManager m = root.newSubManager()) {
            Gpt2LMHeadModel peft = Gpt2LMHeadModel.build(TinyGpt2.config(), m);
            io.sparklora.model.lora.LoraInjector.Result r = io.sparklora.model.lora.LoraInjector.inject(peft,
                    io.sparklora.model.lora.LoraSpec.builder().targetModules("c_attn").r(2).alpha(4).build());
            assertEquals(java.util.List.of("transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"), r.loraModules());
            assertTrue(peft.module("transformer.h.0.attn.c_attn") instanceof io.sparklora.model.lora.LoraLinear);
            // give B a value so LoRA matters, then check a gradient reaches A and eval (merged) == train
            peft.namedParameters().forEach((k, p) -> {
                if (k.endsWith("lora_B")) {
                    p.load(k, m.randomNormal(0f, 0.1f, p.shape(), ai.djl.ndarray.types.DataType.FLOAT32));
                }
            });
            NDArray ids = m.create(new long[] {3, 1, 4, 1, 5}, new Shape(1, 5));
            peft.train();
            LmLoss loss = Autograd.record(() -> Gpt2LMHeadModel.loss(peft.logits(ids),
                    m.create(new long[] {1, 4, 1, 5, 9}, new Shape(1, 5)), null, 0f));
            Autograd.backward(loss.mean());
            io.sparklora.model.nn.Param a = peft.namedParameters().get("transformer.h.1.attn.c_attn.lora_A");
            NDArray g = Autograd.gradient(a, m);
            assertTrue(g != null && g.abs().sum().getFloat() > 0);
            assertFalse(peft.namedParameters().get("transformer.h.1.attn.c_attn.weight").array().hasGradient());
            NDArray train = Autograd.noGrad(() -> peft.logits(ids));
            peft.eval();
            assertClose(train, Autograd.noGrad(() -> peft.logits(ids)), 1e-5f);
        }
    }

    @Test
    void rejectsBadInputs() {
        try (NDManager s = root.newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> model.logits(s.create(new long[] {1, 2})));
            assertThrows(IllegalArgumentException.class, () -> model.logits(s.create(new float[] {1, 2}, new Shape(1, 2))));
            assertThrows(IllegalArgumentException.class, () -> model.logits(s.zeros(new Shape(1, 65), ai.djl.ndarray.types.DataType.INT64)));
            NDArray ids = s.create(new long[] {1, 2}, new Shape(1, 2));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Gpt2Input.of(ids).attentionMask(s.ones(new Shape(1, 3)))));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Gpt2Input.of(ids).positionIds(s.create(new long[] {0, 1, 2}, new Shape(1, 3)))));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Gpt2Input.of(ids).positionIds(s.create(new long[] {0, 64}, new Shape(1, 2)))));
        }
    }
}
