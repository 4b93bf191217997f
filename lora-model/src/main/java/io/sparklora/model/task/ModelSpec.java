package io.sparklora.model.task;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2Checkpoints;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.ParamInit;
import io.sparklora.model.nn.TensorSource;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything needed to build a task's model on any JVM except the weights: the family, the
 * Hugging Face {@code config.json}, the LoRA spec and the head. Small and serialisable, so it travels
 * in task closures while the weights travel once, in a broadcast.
 */
public final class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Model families sparklora builds. */
    public enum Family {
        GPT2, BERT, ROBERTA;

        public static Family parse(String s) {
            for (Family f : values()) {
                if (f.name().equalsIgnoreCase(s == null ? "" : s.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("model family '" + s + "' is not one of gpt2, bert, roberta");
        }
    }

    private final Family family;
    private final String configJson;
    private final LoraSpec lora;
    private final int numLabels;
    private final float labelSmoothing;

    /**
     * @param numLabels classes of a classification head, 1 for regression, 0 for a causal LM
     */
    public ModelSpec(Family family, String configJson, LoraSpec lora, int numLabels, float labelSmoothing) {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(configJson, "configJson");
        Objects.requireNonNull(lora, "lora");
        if (numLabels < 0 || (family == Family.GPT2) != (numLabels == 0)) {
            throw new IllegalArgumentException("numLabels " + numLabels + " does not fit family " + family
                    + " (0 for gpt2, 1 for regression, >= 2 classes for bert/roberta)");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        this.family = family;
        this.configJson = configJson;
        // A classifier's head is new: by default it trains and is saved in full (BERT's pooler too).
        this.lora = family != Family.GPT2 && lora.modulesToSave().isEmpty()
                ? lora.withModulesToSave(family == Family.BERT ? List.of("classifier", "pooler") : List.of("classifier"))
                : lora;
        this.numLabels = numLabels;
        this.labelSmoothing = labelSmoothing;
    }

    public Family family() {
        return family;
    }

    public String configJson() {
        return configJson;
    }

    /** The LoRA spec, with the head among the modules to save when none were named. */
    public LoraSpec lora() {
        return lora;
    }

    public int numLabels() {
        return numLabels;
    }

    /**
     * Builds the model in {@code manager}, loads the base weights strictly (an unknown, missing or
     * mis-shaped tensor fails, naming it), then injects LoRA.
     *
     * @param mergeWeights whether eval() may fold ΔW into W (never on shared executor models)
     */
    public TaskModel build(TensorSource base, NDManager manager, boolean mergeWeights) {
        LoraSpec spec = lora.withMergeWeights(mergeWeights);
        switch (family) {
            case GPT2: {
                Gpt2Config config = Gpt2Config.fromJson(configJson, "config.json");
                // The strict load below fills every tensor: no random values to make first.
                Gpt2LMHeadModel model = ParamInit.forCheckpoint(() -> Gpt2LMHeadModel.build(config, manager));
                model.loadStateDict(Gpt2Checkpoints.huggingFace(base), true);
                LoraInjector.inject(model, spec);
                return new CausalLmTask(model, labelSmoothing);
            }
            default:
                return SequenceClassifiers.build(this, spec, base, manager);
        }
    }

    /** A stable name of the architecture, head and LoRA settings. */
    public String key() {
        return family.name().toLowerCase(Locale.ROOT) + "/" + Integer.toHexString(configJson.hashCode()) + "/"
                + numLabels + "/" + lora;
    }
}
