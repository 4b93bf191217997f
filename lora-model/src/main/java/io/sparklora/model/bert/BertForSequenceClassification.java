package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;

import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code BertForSequenceClassification} and {@code RobertaForSequenceClassification}
 * in one class, chosen by {@link BertConfig#modelType()}:
 * <ul>
 *   <li>BERT: {@code bert.*} with pooler, head {@code classifier(dropout(pooled))};</li>
 *   <li>RoBERTa: {@code roberta.*} without pooler, head
 *       {@code classifier.out_proj(dropout(tanh(classifier.dense(dropout(h[:, 0])))))}.</li>
 * </ul>
 * The loss follows {@link BertConfig#problemType()}.
 */
public final class BertForSequenceClassification extends Module {
    private final BertConfig config;
    private final String prefix;

    /** Logits {@code [B, numLabels]} and the encoder's outputs, in the manager of the input ids. */
    public record Output(NDArray logits, BertModel.Output encoder) {}

    /** Builds the model with random weights (load a checkpoint with {@link #loadStateDict}). */
    public BertForSequenceClassification(NDManager manager, BertConfig config) {
        super(manager);
        this.config = Objects.requireNonNull(config, "config");
        this.prefix = config.modelType().hfName();
        registerChild(prefix, new BertModel(manager, config, !config.isRoberta()));
        if (config.isRoberta()) {
            registerChild("classifier", new RobertaClassificationHead(manager, config));
        } else {
            registerChild("classifier", new Linear(manager, config.hiddenSize(), config.numLabels(), true));
        }
    }

    public BertConfig config() {
        return config;
    }

    /** The state-dict prefix of the encoder: {@code bert} or {@code roberta}. */
    public String prefix() {
        return prefix;
    }

    public BertModel encoder() {
        return (BertModel) children().get(prefix);
    }

    /**
     * The modules trained in full besides LoRA, for {@code LoraSpec.Builder.modulesToSave}: the
     * head, and for BERT also the pooler (the counterpart of RoBERTa's {@code classifier.dense}),
     * as microsoft/LoRA's {@code run_glue.py} trains them.
     */
    public List<String> headModules() {
        return config.isRoberta() ? List.of("classifier") : List.of("classifier", "pooler");
    }

    public Output forward(BertInputs in) {
        return forward(in, false);
    }

    private Output forward(BertInputs in, boolean firstTokenOnly) {
        BertModel.Output enc = encoder().forward(in, firstTokenOnly);
        NDArray logits;
        if (config.isRoberta()) {
            logits = ((RobertaClassificationHead) children().get("classifier")).forward(enc.lastHiddenState());
        } else {
            NDArray pooled = Ops.dropout(enc.pooledOutput(), config.hiddenDropoutProb(), isTraining());
            logits = Layers.linear(this, "classifier").forward(pooled);
        }
        return new Output(logits, enc);
    }

    /**
     * The logits alone: the last layer runs for the first position only, since both heads read just
     * {@code h[:, 0]} (same values and gradients as {@link #forward}, less work).
     */
    public NDArray logits(BertInputs in) {
        return forward(in, true).logits();
    }

    /** The mean loss of the batch (cross-entropy or MSE per {@link BertConfig#problemType()}). */
    public NDArray loss(NDArray logits, NDArray labels) {
        return SequenceClassificationLoss.mean(config.problemType(), logits, labels);
    }

    /** The loss summed over the batch, with the number of examples. */
    public LossSum lossSum(NDArray logits, NDArray labels) {
        return SequenceClassificationLoss.sum(config.problemType(), logits, labels);
    }

    /** RoBERTa's {@code classifier}: {@code out_proj(tanh(dense(h[:, 0])))} with dropout before each. */
    public static final class RobertaClassificationHead extends Module {
        private final float dropout;

        RobertaClassificationHead(NDManager manager, BertConfig c) {
            super(manager);
            this.dropout = c.hiddenDropoutProb();
            registerChild("dense", new Linear(manager, c.hiddenSize(), c.hiddenSize(), true));
            registerChild("out_proj", new Linear(manager, c.hiddenSize(), c.numLabels(), true));
        }

        public NDArray forward(NDArray hidden) {
            NDArray x = Ops.dropout(hidden.get(new NDIndex(":, 0")), dropout, isTraining());
            x = Ops.dropout(Layers.linear(this, "dense").forward(x).tanh(), dropout, isTraining());
            return Layers.linear(this, "out_proj").forward(x);
        }
    }
}
