package io.sparklora.model.lora;

import io.sparklora.model.nn.Param;

/** What {@link Lora} needs to know of a loralib layer (loralib's {@code LoRALayer}). */
public interface LoraLayer {
    LoraConfig loraConfig();

    /** True while ΔW is folded into the base weight (after {@code eval()} with mergeWeights). */
    boolean isMerged();

    /** The layer's bias, or null when it has none. */
    Param bias();
}
