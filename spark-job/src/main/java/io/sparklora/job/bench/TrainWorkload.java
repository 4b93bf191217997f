package io.sparklora.job.bench;

import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.ModelSpecFactory;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.ModelSpec;

import java.util.List;

/**
 * One training workload of bench-common.md, ready to run: the model spec (LoRA included), the
 * random frozen base, one fixed global batch, and what a step counts as tokens.
 *
 * @param examples exactly one global batch (every step trains on all of them)
 */
public record TrainWorkload(String name, ModelSpec spec, FrozenWeights base, List<Example> examples,
                            long tokensPerStep, long seed) {
    public TrainWorkload {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("workload " + name + " has no examples");
        }
    }

    public int globalBatch() {
        return examples.size();
    }

    public ModelSpecFactory factory() {
        return new ModelSpecFactory(spec);
    }

    /** The factory the single-process bench trains with (the ablation workloads change the model's path). */
    public io.sparklora.job.dist.TaskModelFactory taskFactory() {
        return TrainWorkloads.BERT_TRAIN_FULL.equals(name) ? new FullLastLayerFactory(spec) : factory();
    }

    /**
     * AdamW (lr 1e-4, weight decay 0.01, torch's betas and eps), clip 1.0, no warm-up, {@code steps}
     * steps, micro-batches of {@code microBatch} examples (0: the whole batch, per partition in Spark mode).
     */
    public TrainSettings settings(long steps, int microBatch) {
        if (microBatch < 0) {
            throw new IllegalArgumentException("--micro-batch must be >= 0, got " + microBatch);
        }
        return new TrainSettings(globalBatch(), microBatch == 0 ? globalBatch() : Math.min(microBatch, globalBatch()),
                seed, steps, 1e-4, 0.0, 0.01f, 1.0, 0.9f, 0.999f, 1e-8f, 1);
    }
}
