package io.sparklora.job.train;

/** What the driver knows after one step, for logs, metrics and checkpoints. */
public record StepReport(long step, long totalSteps, int epoch, double loss, double lr, double gradNorm,
                         long examples, long tokens, long stepNanos, long computeNanos) {
    public double tokensPerSecond() {
        return stepNanos == 0 ? 0 : tokens * 1e9 / stepNanos;
    }
}
