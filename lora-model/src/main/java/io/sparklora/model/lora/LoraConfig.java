package io.sparklora.model.lora;

import java.io.Serializable;

/**
 * The hyper-parameters every loralib layer shares: rank r, alpha, dropout on the LoRA input, and
 * whether {@code eval()} merges ΔW into W. Scaling is α/r, as in the paper and loralib.
 */
public final class LoraConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int r;
    private final float alpha;
    private final float dropout;
    private final boolean mergeWeights;

    public LoraConfig(int r, float alpha, float dropout, boolean mergeWeights) {
        if (r < 0) {
            throw new IllegalArgumentException("LoRA rank r must be >= 0 (0 = plain layer), got " + r);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be finite, got " + alpha);
        }
        this.r = r;
        this.alpha = alpha;
        this.dropout = dropout;
        this.mergeWeights = mergeWeights;
    }

    /** loralib's defaults: r = 0 (plain layer), alpha = 1, no dropout, merge on eval. */
    public static LoraConfig plain() {
        return new LoraConfig(0, 1f, 0f, true);
    }

    public int r() {
        return r;
    }

    public float alpha() {
        return alpha;
    }

    public float dropout() {
        return dropout;
    }

    public boolean mergeWeights() {
        return mergeWeights;
    }

    /** α/r; zero for a plain (r = 0) layer. */
    public float scaling() {
        return r == 0 ? 0f : alpha / r;
    }

    @Override
    public String toString() {
        return "LoraConfig{r=" + r + ", alpha=" + alpha + ", dropout=" + dropout
                + ", mergeWeights=" + mergeWeights + '}';
    }
}
