package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;

/**
 * loralib's {@code lora.Linear}: {@code y = x·W_oiᵀ + b + (α/r)·dropout(x)·Aᵀ·Bᵀ}, with A {@code [r, in]}
 * (Kaiming-uniform) and B {@code [out, r]} (zeros), W frozen. With {@code fanInFanOut} W is stored
 * {@code [in, out]} (GPT-2's Conv1D). The LoRA path multiplies by A first, so it costs
 * {@code r·(in + out)} per token instead of {@code in·out}.
 */
public final class LoraLinear extends Linear implements LoraLayer {
    private final LoraConfig lora;
    private final Param loraA;
    private final Param loraB;
    private boolean merged;

    private LoraLinear(Linear base, LoraConfig lora) {
        super(base);
        this.lora = java.util.Objects.requireNonNull(lora, "lora");
        if (lora.r() > 0) {
            float bound = (float) (1.0 / Math.sqrt(inFeatures));
            loraA = registerParam("lora_A",
                    manager().randomUniform(-bound, bound, new Shape(lora.r(), inFeatures)), true);
            loraB = registerParam("lora_B", manager().zeros(new Shape(outFeatures, lora.r())), true);
            weight.setRequiresGrad(false);
        } else {
            loraA = null;
            loraB = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds LoRA to an existing layer (PEFT-style injection), taking over its weight and bias. */
    public static LoraLinear wrap(Linear base, LoraConfig lora) {
        return new LoraLinear(base, lora);
    }

    @Override
    public LoraConfig loraConfig() {
        return lora;
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    /** lora_A, or null when r = 0. */
    public Param loraA() {
        return loraA;
    }

    /** lora_B, or null when r = 0. */
    public Param loraB() {
        return loraB;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = super.forward(x);
        if (lora.r() > 0 && !merged) {
            NDArray h = Ops.dropout(x, lora.dropout(), isTraining());
            NDArray delta = Ops.linear(Ops.linear(h, loraA.array(), null), loraB.array(), null);
            y = y.add(Ops.scale(delta, lora.scaling()));
        }
        return y;
    }

    @Override
    protected void onModeChange(boolean train) {
        merged = Merging.switchMode(train, merged, lora, weight, manager(), tmp -> {
            NDArray delta = Ops.scoped(loraB.array().matMul(loraA.array()), tmp).muli(lora.scaling());
            return fanInFanOut ? delta.transpose() : delta;
        });
    }

    /** Builder in DJL's style: required sizes, optional LoRA settings. */
    public static final class Builder extends LinearBuilder<Builder> {
        @Override
        Builder self() {
            return this;
        }

        public LoraLinear build(NDManager manager) {
            return new LoraLinear(base(manager, "LoraLinear"), lora);
        }
    }
}
