package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;

/**
 * loralib's {@code lora.Embedding}: {@code y = W[x] + (α/r)·(Aᵀ)[x]·Bᵀ}, with A {@code [r, num]}
 * initialised to zeros and B {@code [dim, r]} normal (the reverse of Linear), W frozen. As in
 * {@code F.embedding}, {@code paddingIdx} only changes gradients: its column of A takes part in the
 * forward pass but receives no gradient.
 */
public final class LoraEmbedding extends Embedding implements LoraLayer {
    private final LoraConfig lora;
    private final Integer paddingIdx;
    private final Param loraA;
    private final Param loraB;
    private boolean merged;

    /**
     * @param paddingIdx the padding id, or null for none
     */
    public LoraEmbedding(NDManager manager, int num, int dim, Integer paddingIdx, LoraConfig lora) {
        super(manager, num, dim);
        if (lora.dropout() != 0f) {
            throw new IllegalArgumentException("loralib's Embedding has no LoRA dropout, got " + lora.dropout());
        }
        if (paddingIdx != null && (paddingIdx < 0 || paddingIdx >= num)) {
            throw new IllegalArgumentException("padding_idx must be in [0, " + num + "), got " + paddingIdx);
        }
        this.lora = lora;
        this.paddingIdx = paddingIdx;
        if (paddingIdx != null) {
            weight.array().set(new ai.djl.ndarray.index.NDIndex(paddingIdx), 0f);
        }
        if (lora.r() > 0) {
            loraA = registerParam("lora_A", manager.zeros(new Shape(lora.r(), num)), true);
            loraB = registerParam("lora_B", manager.randomNormal(new Shape(dim, lora.r())), true);
            weight.setRequiresGrad(false);
        } else {
            loraA = null;
            loraB = null;
        }
    }

    @Override
    public LoraConfig loraConfig() {
        return lora;
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    /** Embeddings have no bias. */
    @Override
    public Param bias() {
        return null;
    }

    public Param loraA() {
        return loraA;
    }

    public Param loraB() {
        return loraB;
    }

    @Override
    public NDArray forward(NDArray ids) {
        NDArray y = Ops.embedding(ids, weight.array());
        if (lora.r() == 0 || merged) {
            return y;
        }
        NDArray aT = Ops.scoped(loraA.array().transpose(), ids);
        NDArray afterA = Ops.embedding(ids, aT);
        if (paddingIdx != null) {
            // Same forward value, but padding positions route through a detached copy: no gradient.
            NDArray keep = ids.neq(paddingIdx).expandDims(-1).toType(DataType.FLOAT32, false);
            afterA = afterA.mul(keep).add(afterA.stopGradient().mul(keep.neg().add(1f)));
        }
        return y.add(Ops.scale(Ops.linear(afterA, loraB.array(), null), lora.scaling()));
    }

    @Override
    protected void onModeChange(boolean train) {
        merged = Merging.switchMode(train, merged, lora, weight, manager(), tmp ->
                Ops.scoped(loraB.array().matMul(loraA.array()), tmp).transpose().mul(lora.scaling()));
    }
}
