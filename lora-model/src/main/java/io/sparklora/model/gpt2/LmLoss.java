package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * microsoft/LoRA's masked language-model loss for one batch, kept as its parts so that a
 * distributed trainer can add {@link #sum} and {@link #count} over partitions before dividing.
 *
 * @param sum scalar {@code Σ per_token · lm_mask} (differentiable)
 * @param count scalar {@code Σ lm_mask} (no gradient)
 * @param mean scalar {@code sum / (count + 0.0001)}, exactly the loss {@code model.py} returns
 */
public record LmLoss(NDArray sum, NDArray count, NDArray mean) {
    /** The denominator guard {@code model.py} adds to the mask count. */
    public static final float EPSILON = 1e-4f;

    public float sumValue() {
        return sum.getFloat();
    }

    public float countValue() {
        return count.getFloat();
    }

    public float meanValue() {
        return mean.getFloat();
    }
}
