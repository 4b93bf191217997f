package io.sparklora.model.task;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.TensorSource;

/** Builds BERT and RoBERTa sequence classifiers for {@link ModelSpec}. */
final class SequenceClassifiers {
    private SequenceClassifiers() {}

    static TaskModel build(ModelSpec spec, LoraSpec lora, TensorSource base, NDManager manager) {
        throw new UnsupportedOperationException("family " + spec.family() + " is being wired");
    }
}
