package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few hundred LoRA training steps on the tiny GPT-2 must not grow the number of live NDArrays. */
class Gpt2TrainingLeakTest {
    private static final int STEPS = 250;
    private static final float LR = 0.002f;

    @Test
    void trainingStepsDoNotLeak() {
        try (NDManager root = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = TinyGpt2.build(root.newSubManager(), 11, true);
            model.train();
            int before = -1;
            float firstLoss = Float.NaN;
            float lastLoss = Float.NaN;
            for (int step = 0; step < STEPS; step++) {
                try (NDManager s = root.newSubManager()) {
                    // a fixed batch, so the loss must go down
                    NDArray ids = s.arange(0, 24, 1, DataType.INT64).mul(7).mod(100).reshape(2, 12);
                    NDArray labels = s.arange(1, 25, 1, DataType.INT64).mul(7).mod(100).reshape(2, 12);
                    NDArray mask = s.ones(new Shape(2, 12));
                    LmLoss loss = Autograd.record(() ->
                            model.loss(Gpt2Input.of(ids), labels, mask, 0.1f));
                    Autograd.backward(loss.mean());
                    Autograd.noGrad(() -> {
                        for (Param p : Lora.trainableParameters(model).values()) {
                            NDArray g = Autograd.gradient(p, s);
                            p.array().subi(g.mul(LR));
                            Autograd.zeroGradient(p);
                        }
                        return null;
                    });
                    lastLoss = loss.meanValue();
                    if (step % 50 == 0) {
                        org.slf4j.LoggerFactory.getLogger(Gpt2TrainingLeakTest.class).info("step {} loss {}", step, lastLoss);
                    }
                    if (step == 0) {
                        firstLoss = lastLoss;
                    }
                }
                if (step == 10) {
                    model.eval(); // merge and unmerge once, as evaluation would
                    model.train();
                    before = root.getManagedArrays().size();
                }
            }
            assertEquals(before, root.getManagedArrays().size(), "live NDArrays grew during training");
            // the counter sees arrays left in a model's sub-manager, so a leak would show
            model.manager().zeros(new Shape(1));
            assertEquals(before + 1, root.getManagedArrays().size());
            assertTrue(lastLoss < firstLoss, "loss " + firstLoss + " -> " + lastLoss);
        }
    }
}
