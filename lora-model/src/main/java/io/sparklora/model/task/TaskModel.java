package io.sparklora.model.task;

import ai.djl.ndarray.NDArray;
import io.sparklora.model.nn.Module;

/** A model with LoRA injected, seen by the trainer and the evaluator the same way for every family. */
public interface TaskModel {
    /** The module tree (its trainable parameters are what the trainer updates). */
    Module module();

    /** Loss sum and count of a batch; call inside {@code Autograd.record} to get gradients. */
    LossSum loss(Batch batch);

    /**
     * Per-example outputs for evaluation: class logits {@code [B, C]}, regression scores {@code [B]},
     * or for a causal LM the per-example loss sums {@code [B]}.
     */
    NDArray predict(Batch batch);

    /** The id written into padded positions. */
    int padId();
}
