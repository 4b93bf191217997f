package io.sparklora.job.train;

import java.io.Serializable;
import java.util.Objects;

/**
 * AdamW (Loshchilov and Hutter) exactly as {@code torch.optim.AdamW} computes it, on the flat vector
 * of trainable parameters: decoupled weight decay {@code p ← p·(1 − lr·wd)} (only where
 * {@code decayMask} is set), then Adam with bias correction. Runs once per step on the driver.
 */
public final class AdamW implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean[] decayMask;
    private final float[] m;
    private final float[] v;
    private long step;

    public AdamW(int size, float beta1, float beta2, float eps, float weightDecay, boolean[] decayMask) {
        if (size < 0 || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid AdamW settings: size " + size + ", betas (" + beta1 + ", "
                    + beta2 + "), eps " + eps + ", weight decay " + weightDecay);
        }
        Objects.requireNonNull(decayMask, "decayMask");
        if (decayMask.length != size) {
            throw new IllegalArgumentException("decay mask has " + decayMask.length + " entries, expected " + size);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decayMask = decayMask.clone();
        this.m = new float[size];
        this.v = new float[size];
    }

    /** Applies one update in place. */
    public void step(float[] params, float[] grads, float lr) {
        if (params.length != m.length || grads.length != m.length) {
            throw new IllegalArgumentException("AdamW over " + m.length + " values got params " + params.length
                    + " and grads " + grads.length);
        }
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double sqrtBc2 = Math.sqrt(bc2);
        for (int i = 0; i < params.length; i++) {
            if (decayMask[i]) {
                params[i] *= 1 - lr * weightDecay;
            }
            float g = grads[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            double denom = Math.sqrt(v[i]) / sqrtBc2 + eps;
            params[i] -= (float) (stepSize * m[i] / denom);
        }
    }

    public long stepCount() {
        return step;
    }

    /** First and second moments, for checkpoints. */
    public float[] firstMoment() {
        return m;
    }

    public float[] secondMoment() {
        return v;
    }

    /** Restores state saved by a checkpoint. */
    public void restore(long stepCount, float[] firstMoment, float[] secondMoment) {
        if (firstMoment.length != m.length || secondMoment.length != v.length || stepCount < 0) {
            throw new IllegalArgumentException("optimizer state has " + firstMoment.length + "/" + secondMoment.length
                    + " values at step " + stepCount + ", expected " + m.length);
        }
        System.arraycopy(firstMoment, 0, m, 0, m.length);
        System.arraycopy(secondMoment, 0, v, 0, v.length);
        step = stepCount;
    }
}
