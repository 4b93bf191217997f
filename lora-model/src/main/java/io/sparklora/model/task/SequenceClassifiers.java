package io.sparklora.model.task;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.bert.BertConfig;
import io.sparklora.model.bert.BertForSequenceClassification;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Param;
import io.sparklora.model.nn.ParamInit;
import io.sparklora.model.nn.TensorSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds BERT and RoBERTa sequence classifiers from a pretrained encoder: every encoder tensor must
 * be in the checkpoint with its shape; only the new head may be missing (initialised like Hugging
 * Face, N(0, 0.02) weights and zero biases), and only pretraining heads may be left over.
 */
final class SequenceClassifiers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SequenceClassifiers() {}

    static TaskModel build(ModelSpec spec, LoraSpec lora, TensorSource base, NDManager manager) {
        BertConfig config;
        try {
            config = BertConfig.fromJson(JSON.readTree(spec.configJson()), "config.json").toBuilder()
                    .numLabels(spec.numLabels())
                    .problemType(spec.numLabels() == 1 ? BertConfig.ProblemType.REGRESSION
                            : BertConfig.ProblemType.SINGLE_LABEL_CLASSIFICATION)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if ((config.modelType() == BertConfig.ModelType.ROBERTA) != (spec.family() == ModelSpec.Family.ROBERTA)) {
            throw new IllegalArgumentException("config.json says model_type " + config.modelType().hfName()
                    + " but the job says family " + spec.family());
        }
        // Every tensor is loaded below or initialised explicitly (the new head): no random values first.
        BertForSequenceClassification model = ParamInit.forCheckpoint(() -> new BertForSequenceClassification(manager, config));
        List<String> unused = model.loadStateDict(base, false);
        List<String> foreign = new ArrayList<>();
        for (String u : unused) {
            if (!u.startsWith("cls.") && !u.startsWith("lm_head.") && !u.endsWith("position_ids")) {
                foreign.add(u);
            }
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException(base.description() + " has tensors the " + config.modelType().hfName()
                    + " classifier does not: " + foreign);
        }
        TreeSet<String> missing = new TreeSet<>();
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            if (!base.names().contains(e.getKey())) {
                missing.add(e.getKey());
            }
        }
        for (String m : missing) {
            if (!m.startsWith("classifier.")) {
                throw new IllegalArgumentException(base.description() + " lacks tensors the model needs: " + missing);
            }
            Param p = model.namedParameters().get(m);
            p.load(m, m.endsWith("bias")
                    ? manager.zeros(p.shape())
                    : manager.randomNormal(0f, 0.02f, p.shape(), DataType.FLOAT32));
        }
        LoraInjector.inject(model, lora);
        return new ClassifierTask(model);
    }
}
