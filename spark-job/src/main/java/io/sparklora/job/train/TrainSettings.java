package io.sparklora.job.train;

import java.io.Serializable;

/** Optimisation settings of one training run (validated by the config loader). */
public record TrainSettings(int globalBatch, int microBatch, long seed, long totalSteps, double lr,
                            double warmupRatio, float weightDecay, double maxGradNorm, float beta1, float beta2,
                            float eps, int logEvery) implements Serializable {
    public TrainSettings {
        if (globalBatch <= 0 || microBatch <= 0 || totalSteps <= 0 || !(lr > 0) || warmupRatio < 0 || warmupRatio > 1
                || logEvery <= 0) {
            throw new IllegalArgumentException("invalid training settings: batch " + globalBatch + ", micro-batch "
                    + microBatch + ", steps " + totalSteps + ", lr " + lr + ", warm-up ratio " + warmupRatio
                    + ", log-every " + logEvery);
        }
    }

    public long warmupSteps() {
        return (long) Math.ceil(totalSteps * warmupRatio);
    }
}
