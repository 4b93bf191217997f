package io.sparklora.job.train;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then linear decay to 0 at
 * {@code totalSteps} (Hugging Face's {@code get_linear_schedule_with_warmup}). Steps count from 0:
 * the rate used for update number {@code s + 1}.
 */
public final class LrSchedule {
    private final double peak;
    private final long warmupSteps;
    private final long totalSteps;

    public LrSchedule(double peak, long warmupSteps, long totalSteps) {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("invalid schedule: lr " + peak + ", warm-up " + warmupSteps
                    + ", total " + totalSteps + " steps");
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    public float rate(long step) {
        if (step < warmupSteps) {
            return (float) (peak * step / Math.max(1, warmupSteps));
        }
        return (float) (peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps)));
    }
}
