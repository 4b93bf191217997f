package io.sparklora.job.train;

/** {@code torch.nn.utils.clip_grad_norm_} over the flat gradient: scale by max/(norm + 1e-6) if larger. */
public final class GradientClipping {
    private GradientClipping() {}

    /** Clips in place and returns the norm before clipping; {@code maxNorm <= 0} disables clipping. */
    public static double clip(float[] grads, double maxNorm) {
        double sq = 0;
        for (float g : grads) {
            sq += (double) g * g;
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                for (int i = 0; i < grads.length; i++) {
                    grads[i] = (float) (grads[i] * coef);
                }
            }
        }
        return norm;
    }
}
