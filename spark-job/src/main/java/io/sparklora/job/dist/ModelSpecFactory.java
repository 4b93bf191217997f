package io.sparklora.job.dist;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.TensorSource;
import io.sparklora.model.task.ModelSpec;
import io.sparklora.model.task.TaskModel;

/** Builds executor models from a {@link ModelSpec}, LoRA unmerged for good. */
public final class ModelSpecFactory implements TaskModelFactory {
    private static final long serialVersionUID = 1L;
    private final ModelSpec spec;

    public ModelSpecFactory(ModelSpec spec) {
        this.spec = spec;
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    public TaskModel build(TensorSource base, NDManager manager) {
        return spec.build(base, manager, false);
    }

    @Override
    public String key() {
        return spec.key();
    }
}
