package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 1,000 training steps must not grow the number of live NDArrays (DJL's classic native leak). */
class NativeMemoryLeakTest {

    private static int liveArrays(NDManager root) {
        return root.getManagedArrays().size();
    }

    private static void train(Module layer, Function<NDManager, NDArray> input,
                              Function<NDArray, NDArray> forward, NDManager root) {
        int before = -1;
        for (int step = 0; step < 1000; step++) {
            try (NDManager s = root.newSubManager()) {
                NDArray x = input.apply(s);
                NDArray loss = Autograd.record(() -> forward.apply(x).square().mean());
                Autograd.backward(loss);
                Autograd.noGrad(() -> {
                    for (Param p : Lora.trainableParameters(layer).values()) {
                        NDArray g = Autograd.gradient(p, s);
                        p.array().subi(g.mul(0.01f));
                        Autograd.zeroGradient(p);
                    }
                    return null;
                });
            }
            if (step == 10) {
                layer.eval(); // merge and unmerge once, as evaluation would
                layer.train();
                before = liveArrays(root);
            }
        }
        assertEquals(before, liveArrays(root), "live NDArrays grew during training");
    }

    @Test
    void loraLinearStepsDoNotLeak() {
        try (NDManager root = NDManager.newBaseManager()) {
            LoraLinear layer = LoraLinear.builder().inFeatures(32).outFeatures(16)
                    .optLora(new LoraConfig(4, 8, 0.1f, true)).build(root.newSubManager());
            Lora.markOnlyLoraAsTrainable(layer, Bias.LORA_ONLY);
            train(layer, s -> s.randomNormal(new Shape(4, 8, 32)), layer::forward, root);
        }
    }

    @Test
    void mergedLinearAndEmbeddingStepsDoNotLeak() {
        try (NDManager root = NDManager.newBaseManager()) {
            LoraMergedLinear qkv = LoraMergedLinear.builder().inFeatures(16).outFeatures(48)
                    .optFanInFanOut(true).setEnableLora(true, false, true)
                    .optLora(new LoraConfig(2, 16, 0, true)).build(root.newSubManager());
            train(qkv, s -> s.randomNormal(new Shape(2, 5, 16)), qkv::forward, root);

            LoraEmbedding emb = new LoraEmbedding(root.newSubManager(), 50, 8, 0, new LoraConfig(2, 4, 0, true));
            train(emb, s -> s.randomInteger(0, 50, new Shape(3, 7), DataType.INT64), emb::forward, root);
        }
    }
}
