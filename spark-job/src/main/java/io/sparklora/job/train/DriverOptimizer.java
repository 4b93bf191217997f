package io.sparklora.job.train;

import io.sparklora.job.dist.StepResult;

/**
 * The once-per-step update on the driver: average the summed gradient over the global count (so the
 * result equals one process over the whole batch), clip by global norm, take the scheduled rate and
 * apply AdamW to the flat trainable vector.
 */
public final class DriverOptimizer {
    private final TrainSettings settings;
    private final LrSchedule schedule;

    public DriverOptimizer(TrainSettings settings) {
        this.settings = settings;
        this.schedule = new LrSchedule(settings.lr(), settings.warmupSteps(), settings.totalSteps());
    }

    public StepReport apply(TrainState state, StepResult r, int epoch, long stepNanos) {
        if (r.count <= 0) {
            throw new IllegalStateException("step " + state.step + " saw no examples");
        }
        if (!Double.isFinite(r.lossSum)) {
            throw new IllegalStateException("the loss of step " + (state.step + 1) + " is not finite (" + r.lossSum
                    + "); stopping before the adapter is corrupted (lower train.lr or check the data)");
        }
        float[] g = r.gradient;
        float inv = (float) (1.0 / r.count);
        for (int i = 0; i < g.length; i++) {
            g[i] *= inv;
        }
        double norm = GradientClipping.clip(g, settings.maxGradNorm());
        float lr = schedule.rate(state.step);
        state.optimizer.step(state.params, g, lr);
        StepReport report = new StepReport(state.step + 1, settings.totalSteps(), epoch, r.lossSum / r.count, lr, norm,
                r.examples, r.tokens, stepNanos, r.computeNanos);
        state.step++;
        return report;
    }
}
