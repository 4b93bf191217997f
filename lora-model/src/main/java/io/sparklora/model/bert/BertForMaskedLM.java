package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;

import java.util.Objects;

/**
 * Hugging Face's {@code BertForMaskedLM}: {@code bert.*} and the head
 * {@code cls.predictions.transform.{dense,LayerNorm}} (GELU between) with {@code cls.predictions.bias};
 * the decoder is tied to {@code bert.embeddings.word_embeddings.weight}, so it has no weight of its
 * own (a checkpoint's {@code cls.predictions.decoder.*} copies are left unused by a non-strict load).
 * Built with a pooler it also holds {@code bert.pooler.*}, as {@code BertForPreTraining} does.
 */
public final class BertForMaskedLM extends Module {
    private final BertConfig config;

    /** Prediction scores {@code [B, T, vocab]} and the encoder's outputs. */
    public record Output(NDArray logits, BertModel.Output encoder) {}

    public BertForMaskedLM(NDManager manager, BertConfig config, boolean addPoolingLayer) {
        super(manager);
        this.config = Objects.requireNonNull(config, "config");
        if (config.isRoberta()) {
            throw new IllegalArgumentException("BertForMaskedLM needs model_type bert (RoBERTa's lm_head is not supported)");
        }
        registerChild("bert", new BertModel(manager, config, addPoolingLayer));
        Module cls = registerChild("cls", new Container(manager));
        ((Container) cls).add("predictions", new PredictionHead(manager, config));
    }

    public BertConfig config() {
        return config;
    }

    public BertModel encoder() {
        return (BertModel) children().get("bert");
    }

    public Output forward(BertInputs in) {
        BertModel.Output enc = encoder().forward(in);
        PredictionHead head = (PredictionHead) children().get("cls").children().get("predictions");
        NDArray table = encoder().embeddings().wordEmbeddings().weight().array();
        return new Output(head.forward(enc.lastHiddenState(), table), enc);
    }

    /** A module with named children only ({@code cls}). */
    static final class Container extends Module {
        Container(NDManager manager) {
            super(manager);
        }

        void add(String name, Module m) {
            registerChild(name, m);
        }
    }

    /** {@code cls.predictions}: transform, then scores against the tied word embeddings plus bias. */
    public static final class PredictionHead extends Module {
        private final Param bias;

        PredictionHead(NDManager manager, BertConfig c) {
            super(manager);
            Container transform = registerChild("transform", new Container(manager));
            transform.add("dense", new io.sparklora.model.nn.Linear(manager, c.hiddenSize(), c.hiddenSize(), true));
            transform.add("LayerNorm", new LayerNorm(manager, c.hiddenSize(), c.layerNormEps()));
            bias = registerParam("bias", manager.zeros(new Shape(c.vocabSize())), true);
        }

        /**
         * @param hidden {@code [B, T, H]}
         * @param wordEmbeddings the tied decoder weight {@code [vocab, H]}
         */
        public NDArray forward(NDArray hidden, NDArray wordEmbeddings) {
            Module transform = children().get("transform");
            NDArray x = Layers.gelu(Layers.linear(transform, "dense").forward(hidden));
            x = ((LayerNorm) transform.children().get("LayerNorm")).forward(x);
            return Ops.linear(x, wordEmbeddings, bias.array());
        }
    }
}
