package io.sparklora.job.train;

import io.sparklora.job.dist.TrainableLayout;

/** Where a run stands: completed steps, the trainable values and the optimizer (all on the driver). */
public final class TrainState {
    public final TrainableLayout layout;
    public final float[] params;
    public final AdamW optimizer;
    /** Number of completed steps (the next step to run, 0-based). */
    public long step;

    public TrainState(TrainableLayout layout, float[] params, AdamW optimizer, long step) {
        this.layout = layout;
        this.params = params;
        this.optimizer = optimizer;
        this.step = step;
    }

    /** A fresh state: weight decay on every trainable value except biases and LayerNorm weights. */
    public static TrainState fresh(TrainableLayout layout, float[] params, TrainSettings s) {
        boolean[] decay = new boolean[layout.size()];
        for (int i = 0; i < layout.names().size(); i++) {
            String n = layout.names().get(i);
            boolean exempt = n.endsWith("bias") || n.contains("LayerNorm") || n.contains("layer_norm") || n.contains(".ln_");
            int from = layout.offset(i);
            int to = i + 1 < layout.names().size() ? layout.offset(i + 1) : layout.size();
            for (int j = from; j < to; j++) {
                decay[j] = !exempt;
            }
        }
        return new TrainState(layout, params, new AdamW(layout.size(), s.beta1(), s.beta2(), s.eps(), s.weightDecay(), decay), 0);
    }
}
