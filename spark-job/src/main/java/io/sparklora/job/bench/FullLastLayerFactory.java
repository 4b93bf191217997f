package io.sparklora.job.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.model.bert.BertInputs;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.TensorSource;
import io.sparklora.model.task.Batch;
import io.sparklora.model.task.ClassifierTask;
import io.sparklora.model.task.LossSum;
import io.sparklora.model.task.ModelSpec;
import io.sparklora.model.task.TaskModel;

/**
 * The ablation of the classifier's training path: the last encoder layer for every position, as
 * Hugging Face computes it, instead of for {@code [CLS]} only. Same loss; only the work differs.
 */
final class FullLastLayerFactory implements TaskModelFactory {
    private static final long serialVersionUID = 1L;
    private final ModelSpec spec;

    FullLastLayerFactory(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public TaskModel build(TensorSource base, NDManager manager) {
        ClassifierTask task = (ClassifierTask) spec.build(base, manager, false);
        return new TaskModel() {
            @Override
            public Module module() {
                return task.module();
            }

            @Override
            public LossSum loss(Batch b) {
                NDArray logits = task.classifier().forward(new BertInputs(b.inputIds, b.attentionMask, b.tokenTypeIds))
                        .logits();
                var sum = task.classifier().lossSum(logits, b.labels);
                return new LossSum(sum.sum(), sum.count());
            }

            @Override
            public NDArray predict(Batch b) {
                return task.predict(b);
            }

            @Override
            public int padId() {
                return task.padId();
            }
        };
    }

    @Override
    public String key() {
        return "full-last-layer/" + spec.key();
    }
}
