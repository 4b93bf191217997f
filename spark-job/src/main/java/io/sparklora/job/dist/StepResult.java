package io.sparklora.job.dist;

import java.io.Serializable;

/**
 * What one partition sends back per step: the summed LoRA gradient, the loss sum and the count it
 * is averaged over, and sizes for throughput. Partial results add up along Spark's reduce tree.
 */
public final class StepResult implements Serializable {
    private static final long serialVersionUID = 1L;

    public float[] gradient;
    public double lossSum;
    public double count;
    public long examples;
    public long tokens;
    /** Time spent in forward/backward (summed over partitions), for the overhead figure. */
    public long computeNanos;

    public StepResult() {}

    public StepResult(int size) {
        this.gradient = new float[size];
    }

    /** Adds {@code other} into this result and returns this. */
    public StepResult add(StepResult other) {
        if (other.gradient.length != gradient.length) {
            throw new IllegalArgumentException("gradient sizes differ: " + gradient.length + " vs " + other.gradient.length);
        }
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] += other.gradient[i];
        }
        lossSum += other.lossSum;
        count += other.count;
        examples += other.examples;
        tokens += other.tokens;
        computeNanos += other.computeNanos;
        return this;
    }
}
