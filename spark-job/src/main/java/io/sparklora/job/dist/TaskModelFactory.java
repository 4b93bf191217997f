package io.sparklora.job.dist;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.TensorSource;
import io.sparklora.model.task.TaskModel;

import java.io.Serializable;

/**
 * Builds a task's model (base architecture, LoRA injected, head) from base weights. It travels to
 * executors inside task closures, so it holds only small settings, never weights.
 */
public interface TaskModelFactory extends Serializable {
    /**
     * Builds the model in {@code manager} and loads {@code base} into it. LoRA layers must be built
     * with {@code mergeWeights = false}: executors share one model across steps and never fold ΔW
     * into the frozen weights.
     */
    TaskModel build(TensorSource base, NDManager manager);

    /** A stable name of the architecture and LoRA settings, part of the executor cache key. */
    String key();
}
