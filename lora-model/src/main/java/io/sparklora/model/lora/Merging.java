package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;

import java.util.function.Function;

/**
 * loralib's train()/eval() switch, shared by every LoRA layer: eval() adds the scaled ΔW to the frozen
 * weight (no extra latency at inference), train() subtracts it again; with {@code mergeWeights=false}
 * nothing happens, and an r = 0 layer only flips its flag, as in loralib.
 */
final class Merging {
    private Merging() {}

    /**
     * @param scaledDelta builds (α/r)·ΔW in the weight's own layout, in the given scratch manager
     * @return the layer's new merged flag
     */
    static boolean switchMode(boolean train, boolean merged, LoraConfig lora, Param weight, NDManager owner,
                              Function<NDManager, NDArray> scaledDelta) {
        if (!lora.mergeWeights() || merged != train) {
            return merged;
        }
        if (lora.r() > 0) {
            if (weight.isBorrowed()) {
                throw new IllegalStateException("cannot merge LoRA into a weight shared with other models ("
                        + weight.name() + "); build models that share weights with mergeWeights = false");
            }
            Autograd.noGrad(() -> {
                try (NDManager tmp = owner.newSubManager()) {
                    NDArray delta = scaledDelta.apply(tmp);
                    if (train) {
                        weight.array().subi(delta);
                    } else {
                        weight.array().addi(delta);
                    }
                }
                return null;
            });
        }
        return !train;
    }
}
