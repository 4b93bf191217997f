package io.sparklora.model.task;

import ai.djl.ndarray.NDArray;
import io.sparklora.model.bert.BertConfig;
import io.sparklora.model.bert.BertForSequenceClassification;
import io.sparklora.model.bert.BertInputs;
import io.sparklora.model.nn.Module;

/**
 * BERT or RoBERTa sequence classification (or regression, STS-B) as a trainer's task: the loss is
 * summed over examples so partitions can add sums and counts.
 */
public final class ClassifierTask implements TaskModel {
    private final BertForSequenceClassification model;

    public ClassifierTask(BertForSequenceClassification model) {
        this.model = model;
    }

    public BertForSequenceClassification classifier() {
        return model;
    }

    @Override
    public Module module() {
        return model;
    }

    private NDArray logits(Batch b) {
        return model.logits(new BertInputs(b.inputIds, b.attentionMask, b.tokenTypeIds));
    }

    @Override
    public LossSum loss(Batch b) {
        boolean regression = model.config().problemType() == BertConfig.ProblemType.REGRESSION;
        NDArray target = regression ? b.scores : b.labels;
        if (target == null) {
            throw new IllegalArgumentException("a " + (regression ? "regression" : "classification")
                    + " batch needs " + (regression ? "scores" : "labels"));
        }
        var sum = model.lossSum(logits(b), target);
        return new LossSum(sum.sum(), sum.count());
    }

    /** Logits {@code [B, C]}, or scores {@code [B]} for regression. */
    @Override
    public NDArray predict(Batch b) {
        NDArray logits = logits(b);
        return model.config().problemType() == BertConfig.ProblemType.REGRESSION ? logits.squeeze(-1) : logits;
    }

    @Override
    public int padId() {
        return model.config().padTokenId();
    }
}
