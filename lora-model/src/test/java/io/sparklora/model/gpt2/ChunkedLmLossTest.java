package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chunked loss against the plain one over the full logits ({@link Gpt2LMHeadModel#loss(NDArray,
 * NDArray, NDArray, float)}, itself checked against microsoft/LoRA in {@code Gpt2LoraFixtureTest}):
 * same value, same LoRA gradients, with ignored labels, a partial weighted mask and several chunks.
 */
class ChunkedLmLossTest {
    private static final long[] IDS = {5, 17, 99, 3, 42, 8, 61, 0, 23, 77, 14, 50, 2, 88, 31, 9, 66, 45, 12, 70, 38};
    private static final long[] LABELS = {17, 99, 3, -1, 8, 61, 0, 23, 77, -1, 50, 2, 88, 31, 9, 66, 45, 12, 70, 38, -1};
    private static final float[] MASK = {0, 0, 1, 1, 1, 1, 0.5f, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 2, 1};

    /** rows = positions per chunk (0 = the default size, one chunk here). */
    @ParameterizedTest
    @CsvSource({"0.0, 0", "0.0, 4", "0.1, 0", "0.1, 5", "0.1, 1"})
    void valueAndGradientsEqualThePlainLoss(float smoothing, int rows) {
        try (NDManager root = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = TinyGpt2.build(root.newSubManager(), 3, false);
            model.train();
            long v = model.config().vocabSize();
            long chunk = rows == 0 ? ChunkedLmLoss.CHUNK_ELEMENTS : rows * v;
            try (NDManager s = root.newSubManager()) {
                NDArray ids = s.create(IDS, new Shape(3, 7));
                NDArray labels = s.create(LABELS, new Shape(3, 7));
                NDArray mask = s.create(MASK, new Shape(3, 7));
                LmLoss plain = Autograd.record(() -> Gpt2LMHeadModel.loss(model.logits(ids), labels, mask, smoothing));
                Autograd.backward(plain.mean());
                Map<String, float[]> expected = gradients(model, s);

                LmLoss chunked = Autograd.record(() -> ChunkedLmLoss.compute(
                        model.transformer().forward(Gpt2Input.of(ids)).states(), model.transformer().wte().weight().array(),
                        labels, mask, smoothing, chunk));
                assertEquals(plain.sumValue(), chunked.sumValue(), 1e-4f * Math.abs(plain.sumValue()), "loss sum");
                assertEquals(plain.countValue(), chunked.countValue(), 0f, "count");
                assertEquals(plain.meanValue(), chunked.meanValue(), 1e-4f * Math.abs(plain.meanValue()), "mean");
                Autograd.backward(chunked.mean());
                Map<String, float[]> actual = gradients(model, s);
                assertEquals(expected.keySet(), actual.keySet());
                for (String name : expected.keySet()) {
                    assertClose(name, expected.get(name), actual.get(name));
                }
            }
        }
    }

    @Test
    void modelLossTakesTheChunkedPathOnlyForAFrozenHeadAndChecksLabels() {
        try (NDManager root = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = TinyGpt2.build(root.newSubManager(), 3, false);
            try (NDManager s = root.newSubManager()) {
                NDArray ids = s.create(IDS, new Shape(3, 7));
                NDArray labels = s.create(LABELS, new Shape(3, 7));
                float plain = Autograd.noGrad(() -> Gpt2LMHeadModel.loss(model.logits(ids), labels, null, 0f).sumValue());
                // Without gradients (evaluation) only the value is computed.
                float chunked = Autograd.noGrad(() -> model.loss(Gpt2Input.of(ids), labels, null, 0f).sumValue());
                assertEquals(plain, chunked, 1e-4f * Math.abs(plain));

                // A trainable head gets its gradient through the logits.
                model.transformer().wte().weight().setRequiresGrad(true);
                LmLoss l = Autograd.record(() -> model.loss(Gpt2Input.of(ids), labels, null, 0f));
                Autograd.backward(l.sum());
                assertTrue(Autograd.gradient(model.transformer().wte().weight(), s).abs().sum().getFloat() > 0);
                model.transformer().wte().weight().setRequiresGrad(false);

                NDArray outOfRange = s.create(new long[] {100, 1, 2, 3, 4, 5, 6}, new Shape(1, 7));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.loss(Gpt2Input.of(ids.get("0:1")), outOfRange, null, 0f));
                assertTrue(e.getMessage().contains("[-1, 100)"), e.getMessage());
            }
        }
    }

    @Test
    void nothingCountedGivesZeroLossAndZeroGradients() {
        try (NDManager root = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = TinyGpt2.build(root.newSubManager(), 3, false);
            model.train();
            try (NDManager s = root.newSubManager()) {
                NDArray ids = s.create(IDS, new Shape(3, 7));
                NDArray labels = s.create(LABELS, new Shape(3, 7));
                LmLoss l = Autograd.record(() -> model.loss(Gpt2Input.of(ids), labels, s.zeros(new Shape(3, 7)), 0f));
                assertEquals(0f, l.sumValue(), 0f);
                assertEquals(0f, l.countValue(), 0f);
                Autograd.backward(l.mean());
                for (float[] g : gradients(model, s).values()) {
                    for (float x : g) {
                        assertEquals(0f, x, 0f);
                    }
                }
            }
        }
    }

    /** Every LoRA gradient (zeroed afterwards). */
    private static Map<String, float[]> gradients(Gpt2LMHeadModel model, NDManager s) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : Lora.trainableParameters(model).entrySet()) {
            NDArray g = Autograd.gradient(e.getValue(), s);
            out.put(e.getKey(), g == null ? new float[0] : g.toType(DataType.FLOAT32, true).toFloatArray());
            Autograd.zeroGradient(e.getValue());
        }
        return out;
    }

    private static void assertClose(String name, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, name + " size");
        double scale = 0;
        for (float x : expected) {
            scale = Math.max(scale, Math.abs(x));
        }
        assertTrue(scale > 0, name + " has no gradient in the plain loss");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, name + "[" + i + "]");
        }
    }
}
