package io.sparklora.job.dist;


import java.io.Serializable;
import java.util.Objects;

/**
 * What an executor needs to compute one adapter's share of a step: its base model (a broadcast that
 * adapters of the same base share), how to build its model, its trainable layout and its batches.
 * Small; it travels in every step's task closure.
 */
public record AdapterTask(BroadcastWeights base, TaskModelFactory factory, TrainableLayout layout,
                          BatchPlan plan, int microBatch, long seed) implements Serializable {
    public AdapterTask {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(plan, "plan");
        if (microBatch <= 0) {
            throw new IllegalArgumentException("micro-batch size must be > 0, got " + microBatch);
        }
    }
}
